// The evidence target built from a config file: a working key for the run only, records kept off the file's sinks.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseApiKey, type Gate, type InferenceRecord, type KeyStore } from '@tollgate/core';
import { tollgate } from '@tollgate/express';
import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { configuredEvidenceTarget } from './config-target.js';
import { listenOnLoopback } from './app-framework.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-config-target-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, authenticate: string): string {
  const path = join(dir, name);
  writeFileSync(path, `version: 1\nauthenticate:\n${authenticate}\ninferenceLog:\n  sinks: [{ type: file, path: ./audit.log }]\n`);
  return path;
}

describe('configuredEvidenceTarget', () => {
  it('adds a key for the run to the config’s key store, keeps records off the file’s sinks, and removes the key on close', async () => {
    const configPath = configFile('keys.yaml', '  methods:\n    - type: apiKey\n      store: { type: memory }');
    let tg: Gate | undefined;
    let stopped = false;
    const target = await configuredEvidenceTarget({
      configPath,
      app: (gate) => {
        tg = gate;
        const app = express();
        app.use(tollgate(gate), (_req, res) => void res.json({ ok: true }));
        return app;
      },
      key: { tenantId: 'demo', roles: ['developer'] },
      close: () => void (stopped = true),
    });
    const keyId = parseApiKey(target.credential!.value)!.keyId;
    const store = (target.authConfig as { options: { authenticate: { methods: { store: KeyStore }[] } } }).options.authenticate.methods[0]!.store;
    expect(await store.get(keyId)).toMatchObject({ subject: 'tollgate-evidence', tenantId: 'demo', roles: ['developer'], name: 'tollgate evidence' });

    const records: InferenceRecord[] = [];
    (tg!.steps.find((s) => s.name === 'inferenceLog') as unknown as { subscribe(l: (r: InferenceRecord) => void): () => void }).subscribe((r) => records.push(r));
    const served = await listenOnLoopback(target.app as express.Express);
    const response = await fetch(`${served.baseUrl}/x`, { headers: { authorization: `Bearer ${target.credential!.value}` } });
    await served.close();
    expect(response.status).toBe(200);
    await expect.poll(() => records.length).toBe(1);
    expect(records[0]).toMatchObject({ tenant_id: 'demo', key_id: keyId });

    await target.close!();
    expect(stopped).toBe(true);
    expect(await store.get(keyId)).toBeUndefined();
    // loadConfig creates the file; the run's record never reaches it.
    expect(readFileSync(join(dir, 'audit.log'), 'utf8')).toBe('');
  });

  it('refuses a config without an API-key store to add the run’s key to', async () => {
    const configPath = configFile('jwt.yaml', `  methods:\n    - type: jwt\n      issuer: https://issuer.example\n      audience: api\n      algorithms: [HS256]\n      secret: ${'s'.repeat(32)}`);
    await expect(configuredEvidenceTarget({ configPath, app: () => express(), key: { tenantId: 'demo' } })).rejects.toThrow(
      `${configPath}: the evidence run needs an apiKey method whose store it can add its key to`,
    );
  });
});
