// The example gateway as a user runs it: a real process, driven by the official openai client and raw HTTP.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, formatApiKey, parseApiKey } from '@tollgate/core';
import { rememberSecret } from '../support/secret-ledger.js';
import { describeGatewayExample } from './gateway-example-suite.js';
import { spawnExample, type RunningExample } from '../support/spawn-example.js';

const exampleDir = fileURLToPath(new URL('../../examples/express-gateway/', import.meta.url));
const client = (url: string, apiKey: string) => new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0 });

// The smoke tests every example passes (the whole chain included), then what only this file checks.
describeGatewayExample('express-gateway');

describe('examples/express-gateway: the bad-input catalogue and key deletion, with a hot-reloaded key file', () => {
  let app: RunningExample;
  let dir: string;
  let good: Awaited<ReturnType<typeof createApiKey>>;
  let revoked: Awaited<ReturnType<typeof createApiKey>>;
  const writeKeys = (records: unknown[]) => writeFileSync(join(dir, 'keys.yaml'), stringify({ keys: records }));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-example-'));
    good = await createApiKey({ subject: 'svc-a', kind: 'service', tenantId: 'acme', env: 'live' });
    revoked = await createApiKey({ subject: 'svc-b', tenantId: 'acme', env: 'live' });
    for (const k of [good, revoked]) rememberSecret(k.key);
    writeKeys([good.record, { ...revoked.record, revokedAt: new Date(Date.now() - 1000).toISOString() }]);
    writeFileSync(join(dir, 'tollgate.yaml'), stringify({ version: 1, authenticate: { methods: [{ type: 'apiKey', store: { type: 'file', path: './keys.yaml' } }] } }));
    app = await spawnExample(exampleDir, 'src/server.ts', { TOLLGATE_CONFIG: join(dir, 'tollgate.yaml') });
  });
  afterAll(() => app.stop());

  it('answers the bad-input catalogue with clean 4xx over a real socket', async () => {
    const parts = parseApiKey(good.key)!;
    const cases: Array<[Record<string, string>, number]> = [
      [{ authorization: 'Bearer ' }, 400],
      [{ authorization: `Bearer ${'k'.repeat(8192)}` }, 401],
      [{ authorization: `Bearer ${good.key.slice(0, -1)}${good.key.endsWith('z') ? 'y' : 'z'}` }, 401],
      [{ authorization: `Bearer ${good.key.replace('tg_', 'gt_')}` }, 401],
      [{ authorization: `Bearer tg_live_${parts.keyId}_${parts.secret}` }, 401],
      [{ authorization: `Token ${good.key}` }, 401],
      [{ authorization: `bearer ${good.key}` }, 200],
      [{ 'x-api-key': good.key }, 200],
      [{ authorization: `Bearer ${good.key}`, 'x-api-key': revoked.key }, 400],
    ];
    for (const [headers, status] of cases) {
      const res = await fetch(`${app.url}/v1/models`, { headers });
      expect({ headers: Object.keys(headers), status: res.status }).toEqual({ headers: Object.keys(headers), status });
    }
  });

  it('stops accepting a cached key as soon as it is deleted from the file', async () => {
    const openai = client(app.url, good.key);
    await openai.models.list();
    await openai.models.list();
    writeKeys([{ ...revoked.record, revokedAt: new Date(Date.now() - 1000).toISOString() }]);
    const deadline = Date.now() + 5_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      status = (await fetch(`${app.url}/v1/models`, { headers: { authorization: `Bearer ${good.key}` } })).status;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(401);
  });
});
