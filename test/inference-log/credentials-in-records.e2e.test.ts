// Greps every record of a run (file sink and memory, raw capture on) for every credential the run used: none is found.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyPattern, formatApiKey, parseApiKey, pinoAuditSink } from '@tollgate/core';
import { startLoggedGateway, type LoggedGateway } from '../support/logged-gateway.js';
import { rememberLog, rememberSecret } from '../support/secret-ledger.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-records-'));
const file = join(dir, 'audit.log');
let gw: LoggedGateway;
const secrets: string[] = [];
const remember = (secret: string) => {
  secrets.push(secret);
  rememberSecret(secret);
  return secret;
};

beforeAll(async () => {
  gw = await startLoggedGateway({ sinks: [pinoAuditSink({ destination: { path: file } })], chain: true, capture: { prompt: 'raw', output: 'raw', maxBytes: 65_536 } });
  remember(gw.keys.acme);
  remember(gw.keys.frozen);
});
afterAll(async () => {
  await gw.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('credentials in inference records', () => {
  it('appear in no record, wherever the client put them', async () => {
    const key = gw.keys.acme;
    const wrong = remember(formatApiKey({ ...parseApiKey(key)!, secret: 'W'.repeat(43) }));
    const jwt = remember('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5IiwidGVuYW50IjoiYWNtZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl');
    const cookie = remember('sess_0123456789abcdef0123456789');
    const upstreamKey = remember('sk-proj-ABCDEFGHIJKLMNOPQRSTUVWXYZ012345');
    const chat = (content: string, stream = false) => JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], stream });
    const send = (path: string, headers: Record<string, string>, body = chat('hello')) =>
      fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then(async (res) => ({ status: res.status, text: await res.text() }));

    const sent = [
      await send('/v1/chat/completions', { authorization: `Bearer ${key}` }, chat(`my key is ${key}, the provider key is ${upstreamKey}`)),
      await send('/v1/chat/completions', { 'x-api-key': key }),
      await send(`/v1/chat/completions?api_key=${key}`, { authorization: `Bearer ${key}` }),
      await send('/v1/chat/completions', { authorization: `Bearer ${wrong}` }),
      await send('/v1/chat/completions', { authorization: `Bearer ${jwt}` }),
      await send('/v1/chat/completions', { authorization: `Bearer ${key}`, 'user-agent': `agent Bearer ${key}`, cookie: `session=${cookie}` }),
      await send(`/v1/keys/${key}`, { authorization: `Bearer ${key}` }),
      await send('/v1/chat/completions', { authorization: `Bearer ${key}` }, chat(`stream with ${key}`, true)),
      await send('/v1/chat/completions', { 'x-api-key': key, authorization: `Bearer ${key}` }),
    ];
    expect(sent.map((s) => s.status)).toEqual([200, 200, 200, 401, 401, 200, 404, 200, 200]);
    expect(await gw.log.flush(5_000)).toBe(true);

    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    rememberLog('inference records (file sink)', lines.join('\n'));
    expect(lines).toHaveLength(sent.length);
    const everything = `${lines.join('\n')}\n${JSON.stringify(gw.sink.records)}`;
    for (const secret of secrets) {
      expect(everything.includes(secret), 'a whole credential').toBe(false);
      expect(everything.includes(secret.slice(-20)), 'the tail of a credential').toBe(false);
    }
    expect(new RegExp(apiKeyPattern.source).test(everything)).toBe(false);
    // The records are still useful: the prompt and the path are kept, with the credential cut out.
    const raw = gw.sink.records.map((r) => `${r.prompt ?? ''} ${r.endpoint} ${r.user_agent ?? ''}`).join('\n');
    expect(raw).toContain('my key is tg_[redacted]');
    expect(raw).toContain('/v1/keys/tg_[redacted]');
    expect(raw).toContain('agent Bearer [redacted]');
  });
});
