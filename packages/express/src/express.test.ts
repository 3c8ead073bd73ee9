import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { Server } from 'node:http';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiKey, createApiKey, formatApiKey, gate, memoryKeyStore, parseApiKey, type Step, type TgContext, type WritableKeyStore } from '@tollgate/core';
import { tollgate } from './index.js';

type Express = typeof express5;
const fast = { memoryCost: 1024, timeCost: 1 };

async function listen(app: ReturnType<Express>): Promise<{ server: Server; url: string }> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Sends raw bytes, so tests can send what fetch refuses to (duplicate headers, NUL, raw UTF-8). */
async function raw(url: string, head: Buffer | string): Promise<{ status: number; text: string }> {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  await once(socket, 'connect');
  socket.end(head);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('latin1');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text };
}

for (const [name, express] of [['express 5', express5], ['express 4', express4 as unknown as Express]] as const) {
  describe(`@tollgate/express on ${name}`, () => {
    let store: WritableKeyStore;
    let key: string;
    let url: string;
    let server: Server;
    const seen: TgContext[] = [];
    const observed: Array<{ path: string; status: number; type: string | undefined; body: string; ended: unknown }> = [];
    const finished: Array<{ path: string; outcome: unknown; refusal: string | undefined }> = [];
    const errors: unknown[] = [];

    beforeAll(async () => {
      store = memoryKeyStore();
      const created = await createApiKey({ subject: 'alice', tenantId: 'acme', roles: ['dev'], hash: fast });
      key = created.key;
      await store.put(created.record);
      const watcher: Step = {
        name: 'watcher',
        requires: [],
        run: () => undefined,
        observeResponse: (ctx) => {
          const record = { path: ctx.request.path, status: 0, type: undefined as string | undefined, body: '', ended: undefined as unknown };
          observed.push(record);
          return {
            start: (status, type) => Object.assign(record, { status, type }),
            chunk: (chunk) => void (record.body += Buffer.from(chunk).toString('utf8')),
            end: (outcome) => void (record.ended = outcome),
          };
        },
        finish: (ctx, outcome) => void finished.push({ path: ctx.request.path, outcome, refusal: ctx.decisions.refusal?.code }),
      };
      const readsBody: Step = { name: 'readBody', requires: ['authenticate'], run: async (ctx) => void (await ctx.request.json()) };
      const app = express();
      app.get('/healthz', (_req, res) => void res.json({ ok: true }));
      app.use('/v1', tollgate(gate({ authenticate: { methods: [apiKey({ store })] }, inferenceLog: watcher })));
      app.get('/v1/whoami', (req, res) => {
        seen.push(req.tollgate!);
        res.json({ subject: req.auth?.subject, tenant: req.auth?.tenantId, requestId: req.tollgate?.requestId });
      });
      app.post('/v1/echo', tollgate(readsBody), (req, res) => void res.json({ body: req.body as unknown }));
      app.get('/v1/stream', (_req, res) => {
        res.setHeader('content-type', 'text/event-stream');
        res.write('data: one\n\n');
        res.write(Buffer.from('data: two\n\n'));
        res.end('data: [DONE]\n\n');
      });
      app.get('/v1/slow', (req, res) => {
        seen.push(req.tollgate!);
        req.tollgate!.signal.addEventListener('abort', () => res.end());
      });
      const renderBoom = gate({ authenticate: { methods: [apiKey({ store })] }, errors: { format: () => { throw new Error('renderer bug'); } } });
      app.get('/broken', tollgate(renderBoom), (_req, res) => void res.end());
      app.use((error: unknown, _req: express5.Request, res: express5.Response, _next: express5.NextFunction) => {
        errors.push(error);
        res.status(500).json({ handled: true });
      });
      ({ server, url } = await listen(app));
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('leaves public routes alone and refuses a /v1 request without a key', async () => {
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const res = await fetch(`${url}/v1/whoami`);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tollgate"');
      expect(res.headers.get('x-request-id')).toMatch(/^req_/);
      expect(await res.json()).toMatchObject({ error: { type: 'authentication_error', code: 'missing_credential', param: null } });
    });

    it('puts the principal and context on the request for a good key, from either header', async () => {
      for (const headers of [{ authorization: `Bearer ${key}` }, { 'x-api-key': key }] as Array<Record<string, string>>) {
        const res = await fetch(`${url}/v1/whoami`, { headers: { ...headers, 'x-request-id': 'client-id-1' } });
        expect(res.status).toBe(200);
        expect(res.headers.get('x-request-id')).toBe('client-id-1');
        expect(await res.json()).toEqual({ subject: 'alice', tenant: 'acme', requestId: 'client-id-1' });
      }
    });

    it('gives byte-identical 401s for unknown, wrong, expired and revoked keys', async () => {
      const parts = parseApiKey(key)!;
      const expired = await createApiKey({ subject: 'old', hash: fast, expiresAt: new Date(Date.now() - 1000) });
      const revoked = await createApiKey({ subject: 'gone', hash: fast });
      await store.put(expired.record);
      await store.put({ ...revoked.record, revokedAt: new Date().toISOString() });
      const candidates = [formatApiKey({ ...parts, keyId: 'NoSuchKeyId0' }), formatApiKey({ ...parts, secret: 'x'.repeat(43) }), expired.key, revoked.key];
      const responses = await Promise.all(candidates.map(async (candidate) => {
        const res = await fetch(`${url}/v1/whoami`, { headers: { authorization: `Bearer ${candidate}`, 'x-request-id': 'same' } });
        const headers = Object.fromEntries([...res.headers].filter(([h]) => h !== 'date'));
        return { status: res.status, headers, body: await res.text() };
      }));
      expect(responses[0]!.status).toBe(401);
      expect(responses[0]!.headers['www-authenticate']).toBe('Bearer realm="tollgate", error="invalid_token"');
      for (const response of responses) expect(response).toEqual(responses[0]);
    });

    it('answers bad input with a clean 4xx and never reaches the store', async () => {
      const get = vi.spyOn(store, 'get');
      const parts = parseApiKey(key)!;
      const badChecksum = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
      const values = ['', 'x'.repeat(8192), `tg_${'a'.repeat(8000)}`, 'sk_live_abc', badChecksum, `tg_live_${parts.keyId}`, key.slice(0, 20) + ' ' + key.slice(20), key.slice(0, 20) + '\t' + key.slice(20)];
      for (const value of values) {
        const res = await raw(url, `GET /v1/whoami HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${value}\r\nConnection: close\r\n\r\n`);
        expect(res.status, JSON.stringify(value.slice(0, 40))).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }
      const nonAscii = Buffer.concat([Buffer.from('GET /v1/whoami HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer '), Buffer.from(`${key.slice(0, 30)}é${key.slice(31)}`, 'utf8'), Buffer.from('\r\nConnection: close\r\n\r\n')]);
      expect((await raw(url, nonAscii)).status).toBe(400);
      const nul = Buffer.concat([Buffer.from('GET /v1/whoami HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tg_\0live\r\nConnection: close\r\n\r\n')]);
      expect((await raw(url, nul)).status).toBe(400);
      expect(get).not.toHaveBeenCalled();
      get.mockRestore();
    });

    it('answers 400 for duplicated Authorization headers and for two different credentials', async () => {
      const dup = await raw(url, `GET /v1/whoami HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nAuthorization: Bearer ${key}\r\nConnection: close\r\n\r\n`);
      expect(dup.status).toBe(400);
      expect(dup.text).toContain('conflicting_credentials');
      const other = await createApiKey({ subject: 'bob', hash: fast });
      const res = await fetch(`${url}/v1/whoami`, { headers: { authorization: `Bearer ${key}`, 'x-api-key': other.key } });
      expect(res.status).toBe(400);
    });

    it('hands a body read by a step to the handler, and renders 413/415 from core', async () => {
      const auth = { authorization: `Bearer ${key}` };
      const ok = await fetch(`${url}/v1/echo`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"model":"m"}' });
      expect(await ok.json()).toEqual({ body: { model: 'm' } });
      const textBody = await fetch(`${url}/v1/echo`, { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: 'hi' });
      expect(textBody.status).toBe(415);
      const big = await fetch(`${url}/v1/echo`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: `"${'a'.repeat(1_100_000)}"` });
      expect(big.status).toBe(413);
    });

    it('aborts the context signal when the client goes away', async () => {
      const controller = new AbortController();
      const pending = fetch(`${url}/v1/slow`, { headers: { authorization: `Bearer ${key}` }, signal: controller.signal }).catch(() => undefined);
      await vi.waitFor(() => expect(seen.some((c) => c.request.path === '/v1/slow')).toBe(true));
      const context = seen.find((c) => c.request.path === '/v1/slow')!;
      expect(context.signal.aborted).toBe(false);
      controller.abort();
      await pending;
      await vi.waitFor(() => expect(context.signal.aborted).toBe(true));
    });

    it('feeds the response body to observers and tells every step when the response ended', async () => {
      const res = await fetch(`${url}/v1/stream`, { headers: { authorization: `Bearer ${key}` } });
      expect(await res.text()).toBe('data: one\n\ndata: two\n\ndata: [DONE]\n\n');
      await vi.waitFor(() => expect(finished.some((f) => f.path === '/v1/stream')).toBe(true));
      const record = observed.find((o) => o.path === '/v1/stream')!;
      expect(record).toEqual({ path: '/v1/stream', status: 200, type: 'text/event-stream', body: 'data: one\n\ndata: two\n\ndata: [DONE]\n\n', ended: { status: 200, aborted: false } });
      const json = await fetch(`${url}/v1/whoami`, { headers: { authorization: `Bearer ${key}`, 'x-request-id': 'observed-json' } });
      const text = await json.text();
      await vi.waitFor(() => expect(observed.filter((o) => o.path === '/v1/whoami').some((o) => o.body === text)).toBe(true));
    });

    it('finishes refused requests too, with the refusal recorded, and never observes their bodies', async () => {
      const before = observed.length;
      await fetch(`${url}/v1/whoami?refused=1`);
      await vi.waitFor(() => expect(finished.some((f) => f.refusal === 'TG_MISSING_CREDENTIAL')).toBe(true));
      const refusal = finished.find((f) => f.refusal === 'TG_MISSING_CREDENTIAL')!;
      expect(refusal.outcome).toEqual({ status: 401, aborted: false });
      expect(observed.length).toBe(before);
    });

    it('finishes an aborted response as aborted', async () => {
      await vi.waitFor(() => expect(finished.some((f) => f.path === '/v1/slow')).toBe(true), { timeout: 5_000 }).catch(() => undefined);
      const slow = finished.filter((f) => f.path === '/v1/slow');
      expect(slow).toHaveLength(1);
      expect(slow[0]!.outcome).toMatchObject({ aborted: true });
    });

    it("passes its own unexpected failures to Express's error handler", async () => {
      const res = await fetch(`${url}/broken`);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ handled: true });
      expect(errors.some((e) => e instanceof Error && e.message === 'renderer bug')).toBe(true);
    });
  });
}
