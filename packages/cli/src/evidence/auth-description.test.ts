// What the auth-config evidence file may contain: pipeline steps and credential headers, never a secret.
import { apiKey, formatApiKey, gate, memoryKeyStore, newKeyId } from '@tollgate/core';
import { describe, expect, it } from 'vitest';
import { describePipeline, redactConfig } from './auth-description.js';

describe('redactConfig', () => {
  it('replaces values of secret-named fields, scrubs credentials from strings, and leaves the rest', () => {
    const key = formatApiKey({ env: 'live', keyId: newKeyId(), secret: 'S'.repeat(43) });
    const config = {
      errors: { realm: 'api' },
      inferenceLog: { hashKey: 'h'.repeat(32), chain: { key: 'c'.repeat(32) }, capture: { maxBytes: 100 } },
      upstream: { apiKey: 'sk-live-abcdefghijklmnopqrstuvwx', client_secret: 'shh', url: `https://x.example/?token=${'t'.repeat(20)}` },
      notes: [`key in prose: ${key}`],
      authenticate: { maxCredentialLength: 8192, optional: false, methods: [{ keyId: 'abc', headers: ['x-api-key'], verify: () => true }] },
      store: new Map([['a', 1]]),
    };
    const out = redactConfig(config);
    expect(out).toEqual({
      errors: { realm: 'api' },
      inferenceLog: { hashKey: '[redacted]', chain: { key: '[redacted]' }, capture: { maxBytes: 100 } },
      upstream: { apiKey: '[redacted]', client_secret: '[redacted]', url: 'https://x.example/?token=[redacted]' },
      notes: ['key in prose: tg_[redacted]'],
      authenticate: { maxCredentialLength: 8192, optional: false, methods: [{ keyId: 'abc', headers: ['x-api-key'] }] },
      store: '[Map]',
    });
    expect(JSON.stringify(out)).not.toContain(key);
  });
});

describe('describePipeline', () => {
  it('lists the steps and, per auth method, the headers its credential is read from', async () => {
    const tg = gate({ inferenceLog: { sinks: [] }, authenticate: { methods: [apiKey({ store: memoryKeyStore(), headers: ['x-api-key', 'x-tollgate-key'] })] } });
    expect(describePipeline(tg, 'pipeline-1')).toEqual({
      id: 'pipeline-1',
      steps: ['inferenceLog', 'authenticate'],
      authentication: [{ method: 'api_key', credential_headers: ['authorization: Bearer', 'x-api-key', 'x-tollgate-key'] }],
    });
    await tg.close();
  });
});
