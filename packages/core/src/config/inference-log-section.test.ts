// The `inferenceLog:` config section: a file sink relative to the config, an HMAC chain from the environment, clear errors.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../audit-sink/verify-chain.js';
import { gate } from '../gate.js';
import type { InferenceLogOptions } from '../inference-log/inference-log-options.js';
import type { RequestInput } from '../request/tg-request.js';
import { loadConfig, parseConfig } from './load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-log-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const chainKey = 'c'.repeat(40);
const auth = 'authenticate: { methods: [{ type: apiKey, store: { type: memory } }] }';
const request: RequestInput = { method: 'GET', path: '/v1/models', headerValues: () => [], remoteAddress: '127.0.0.1', body: () => ({ kind: 'none' }) };

describe('config section inferenceLog', () => {
  it('builds a chained file sink relative to the config file, and the gate writes verifiable records to it', async () => {
    const file = join(dir, 'tollgate.yaml');
    writeFileSync(file, `version: 1\n${auth}\ninferenceLog:\n  sinks: [{ type: file, path: audit/records.log }]\n  chain:\n    key: \${CHAIN_KEY}\n  strict: { tenantTags: [regulated] }\n  capture: { prompt: none }\n  delivery: { maxQueue: 50, closeTimeoutMs: 1000 }\n`);
    const options = loadConfig(file, { env: { CHAIN_KEY: chainKey } });
    const log = options.inferenceLog as InferenceLogOptions;
    expect(log).toMatchObject({ chain: { key: chainKey }, strict: { tenantTags: ['regulated'] }, capture: { prompt: 'none' }, delivery: { maxQueue: 50, closeTimeoutMs: 1000 } });
    const path = join(dir, 'audit', 'records.log');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const tg = gate(options);
    for (let i = 0; i < 3; i++) {
      const handle = tg.start(request);
      const refused = await tg.run(handle);
      await tg.finish(handle, { status: refused!.status, aborted: false });
    }
    await tg.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.filter(Boolean).map((l) => (JSON.parse(l) as { reason: string }).reason)).toEqual(['TG_MISSING_CREDENTIAL', 'TG_MISSING_CREDENTIAL', 'TG_MISSING_CREDENTIAL']);
    expect(verifyAuditChain(lines, { key: chainKey }).ok).toBe(true);
  });

  it('reports each mistake at its path without echoing secrets', () => {
    let message = '';
    try {
      parseConfig(`version: 1\n${auth}\ninferenceLog:\n  hashKey: short-secret\n  chain: maybe\n  strict: { tenants: [] }\n  capture: { output: everything }\n  sinks: [{ type: kafka }]\n`, { baseDir: dir, env: {} });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('inferenceLog.hashKey: must be at least 32 bytes long');
    expect(message).toContain('inferenceLog.chain: must be true, false or { key }');
    expect(message).toMatch(/inferenceLog\.strict[^\n]*(list at least one tenant|must be true, false)/);
    expect(message).toMatch(/inferenceLog\.capture\.output/);
    expect(message).toMatch(/inferenceLog\.sinks\[0\]\.type/);
    expect(message).not.toContain('short-secret');
  });

  it('fails at startup, naming the field, when a file sink cannot be created', () => {
    // A path under a regular file cannot be created by anyone (root included).
    writeFileSync(join(dir, 'plain-file'), '');
    expect(() => parseConfig(`version: 1\n${auth}\ninferenceLog: { sinks: [{ type: file, path: plain-file/audit.log }] }\n`, { baseDir: dir, env: {} })).toThrow(/inferenceLog\.sinks\[0\]\.path/);
  });
});
