import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import { apiKey, createApiKey, gate, memoryKeyStore, pipelineOf, validateRequest, type Step } from '@tollgate/core';
import { tollgate, tollgateContext, type TollgateEnv } from './index.js';

const fast = { memoryCost: 1024, timeCost: 1 };

async function keyed() {
  const store = memoryKeyStore();
  const { key, record } = await createApiKey({ subject: 'alice', tenantId: 'acme', hash: fast });
  await store.put(record);
  const authenticate = gate({ authenticate: { methods: [apiKey({ store })] } }).steps.find((s) => s.name === 'authenticate')!;
  return { key, authenticate, chain: gate({ authenticate: authenticate as never }) };
}

describe('@tollgate/hono through the Fetch API alone (app.request, as on edge runtimes)', () => {
  it('types the principal and context through the context variables', async () => {
    const { key, chain } = await keyed();
    const app = new Hono<TollgateEnv>();
    const middleware = tollgate(chain);
    expect(pipelineOf(middleware)).toBe(chain);
    app.use('/v1/*', middleware);
    app.get('/v1/whoami', (c) => c.json({ subject: c.get('auth')?.subject, requestId: c.get('tollgate').requestId, same: c.get('tollgate') === tollgateContext(c) }));
    expect((await app.request('/v1/whoami')).status).toBe(401);
    const res = await app.request('/v1/whoami', { headers: { authorization: `Bearer ${key}`, 'x-request-id': 'hono-1' } });
    expect(await res.json()).toEqual({ subject: 'alice', requestId: 'hono-1', same: true });
    expect(res.headers.get('x-request-id')).toBe('hono-1');
  });

  it('refuses duplicated credential headers joined by the Fetch API as a malformed credential (400)', async () => {
    const { key, chain } = await keyed();
    const app = new Hono<TollgateEnv>();
    app.use('*', tollgate(chain));
    app.get('/', (c) => c.text('ok'));
    const headers = new Headers();
    headers.append('authorization', `Bearer ${key}`);
    headers.append('authorization', `Bearer ${key}`);
    expect((await app.request('/', { headers })).status).toBe(400);
  });

  it('lets the handler’s own headers win, keeps Set-Cookie single, and adds its own to immutable responses', async () => {
    const { key, chain } = await keyed();
    const app = new Hono<TollgateEnv>();
    app.use('*', tollgate(chain));
    app.get('/own', (c) => {
      c.header('set-cookie', 'a=1');
      c.header('x-request-id', 'from-handler');
      return c.text('ok');
    });
    app.get('/redirect', () => Response.redirect('http://example.test/elsewhere', 302));
    const auth = { authorization: `Bearer ${key}` };
    const own = await app.request('/own', { headers: auth });
    expect(own.headers.get('x-request-id')).toBe('from-handler');
    expect(own.headers.getSetCookie()).toEqual(['a=1']);
    const redirect = await app.request('/redirect', { headers: auth });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('shares one context between two middlewares, and hands the body a step read to c.req.json()', async () => {
    const { key, authenticate } = await keyed();
    const reads: unknown[] = [];
    const readsBody: Step = { name: 'readsBody', requires: ['authenticate'], run: async (ctx) => void reads.push(await ctx.request.json()) };
    const app = new Hono<TollgateEnv>();
    app.use('*', tollgate(authenticate));
    app.post('/chat', tollgate([readsBody]), async (c) => c.json({ json: (await c.req.json()) as unknown, text: await c.req.text(), subject: c.get('auth')?.subject }));
    const res = await app.request('/chat', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"model":"m"}' });
    expect(await res.json()).toEqual({ json: { model: 'm' }, text: '{"model":"m"}', subject: 'alice' });
    expect(reads).toEqual([{ model: 'm' }]);
  });

  it('hands the handler the body as the steps edited it: c.req.json() is core’s object, c.req.text() its JSON', async () => {
    const { key, authenticate } = await keyed();
    let checked: unknown;
    // Edits the parsed body in place, as a policy's fallback-model obligation does.
    const edits: Step = { name: 'edits', requires: ['authenticate'], run: async (ctx) => void Object.assign((checked = await ctx.request.json()) as object, { model: 'fallback' }) };
    const app = new Hono<TollgateEnv>();
    app.use('*', tollgate([authenticate, edits]));
    app.post('/chat', async (c) => {
      const json = await c.req.json();
      return c.json({ same: json === checked, json, text: await c.req.text(), bytes: new TextDecoder().decode(await c.req.arrayBuffer()) });
    });
    const res = await app.request('/chat', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{ "model" : "premium" }' });
    expect(await res.json()).toEqual({ same: true, json: { model: 'fallback' }, text: '{"model":"fallback"}', bytes: '{"model":"fallback"}' });
  });

  it('holds a JSON answer for an output check that can block: withheld with core’s refusal, or sent as written', async () => {
    const { key, authenticate } = await keyed();
    const finished: number[] = [];
    const recorder: Step = { name: 'recorder', requires: [], run: () => undefined, finish: (_ctx, outcome) => void finished.push(outcome.status) };
    const check = validateRequest({
      models: { m: {} },
      output: { detector: ({ text }) => (text.includes('secret') ? { action: 'block' } : { action: 'pass' }) },
    });
    const app = new Hono<TollgateEnv>();
    app.use('*', tollgate(gate({ authenticate: authenticate as never, inferenceLog: recorder, validateRequest: check })));
    app.post('/v1/chat/completions', async (c) => {
      const { messages } = (await c.req.json()) as { messages: Array<{ content: string }> };
      return c.json({ choices: [{ index: 0, message: { role: 'assistant', content: messages[0]!.content }, finish_reason: 'stop' }] }, 200, { 'x-handler': 'yes' });
    });
    const ask = (content: string) => app.request('/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content }] }),
    });
    const blocked = await ask('the secret');
    expect(blocked.status).toBe(502);
    expect(blocked.headers.get('x-handler')).toBeNull();
    const text = await blocked.text();
    expect(text).not.toContain('the secret');
    expect(JSON.parse(text)).toMatchObject({ error: { tg_code: 'TG_OUTPUT_BLOCKED' } });
    const passed = await ask('hello');
    expect(passed.status).toBe(200);
    expect(passed.headers.get('x-handler')).toBe('yes');
    expect(await passed.json()).toEqual({ choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }] });
    await vi.waitFor(() => expect(finished).toEqual([502, 200]));
    await check.close?.();
  });

  it('reads back a body an earlier middleware already consumed through Hono', async () => {
    const { key, authenticate } = await keyed();
    let seen: unknown;
    const readsBody: Step = { name: 'readsBody', requires: ['authenticate'], run: async (ctx) => void (seen = await ctx.request.json()) };
    const app = new Hono<TollgateEnv>();
    app.use('*', async (c, next) => {
      await c.req.text();
      await next();
    });
    app.use('*', tollgate([authenticate, readsBody]));
    app.post('/', (c) => c.text('ok'));
    const res = await app.request('/', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"n":1}' });
    expect(res.status).toBe(200);
    expect(seen).toEqual({ n: 1 });
  });

  it('lets its own unexpected failures reach app.onError', async () => {
    const broken = gate({ authenticate: { methods: [apiKey({ store: memoryKeyStore() })] }, errors: { format: () => { throw new Error('renderer bug'); } } });
    const app = new Hono<TollgateEnv>();
    const errors: unknown[] = [];
    app.onError((error, c) => {
      errors.push(error);
      return c.json({ handled: true }, 500);
    });
    app.use('*', tollgate(broken));
    app.get('/', (c) => c.text('ok'));
    expect(await (await app.request('/')).json()).toEqual({ handled: true });
    expect(errors.some((e) => e instanceof Error && e.message === 'renderer bug')).toBe(true);
  });
});

describe('@tollgate/hono on @hono/node-server when no step reads the response body', () => {
  async function served(app: Hono<TollgateEnv>): Promise<{ url: string; close: () => Promise<void> }> {
    const { serve } = await import('@hono/node-server');
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const running = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(running));
    });
    const { port } = server.address() as { port: number };
    return {
      url: `http://127.0.0.1:${port}`,
      close: () => new Promise<void>((resolve) => {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
    };
  }

  it('sends the handler’s answer with tollgate’s headers under its own, refusals with theirs, and finishes each once', async () => {
    const { key, authenticate } = await keyed();
    const outcomes: unknown[] = [];
    const recorder: Step = { name: 'recorder', requires: [], run: () => undefined, finish: (_ctx, outcome) => void outcomes.push(outcome) };
    const app = new Hono<TollgateEnv>();
    app.use('*', tollgate(gate({ authenticate: authenticate as never, steps: [recorder] })));
    app.get('/own', (c) => {
      c.header('set-cookie', 'a=1');
      c.header('x-request-id', 'from-handler');
      return c.text('ok');
    });
    app.get('/plain', (c) => c.json({ subject: c.get('auth')?.subject }));
    app.get('/redirect', () => Response.redirect('http://example.test/elsewhere', 302));
    const server = await served(app);
    try {
      const auth = { authorization: `Bearer ${key}` };
      const own = await fetch(`${server.url}/own`, { headers: auth });
      expect(await own.text()).toBe('ok');
      expect(own.headers.get('x-request-id')).toBe('from-handler');
      expect(own.headers.getSetCookie()).toEqual(['a=1']);
      const plain = await fetch(`${server.url}/plain`, { headers: { ...auth, 'x-request-id': 'node-1' } });
      expect(await plain.json()).toEqual({ subject: 'alice' });
      expect(plain.headers.get('x-request-id')).toBe('node-1');
      const redirect = await fetch(`${server.url}/redirect`, { headers: auth, redirect: 'manual' });
      expect(redirect.status).toBe(302);
      expect(redirect.headers.get('x-request-id')).toMatch(/^req_/);
      const refused = await fetch(`${server.url}/plain`, { headers: { 'x-request-id': 'node-2' } });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('x-request-id')).toBe('node-2');
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
      await vi.waitFor(() => expect(outcomes).toHaveLength(4));
      expect(outcomes).toEqual([{ status: 200, aborted: false }, { status: 200, aborted: false }, { status: 302, aborted: false }, { status: 401, aborted: false }]);
    } finally {
      await server.close();
    }
  });

  it('reads the body from the Node request: the handler gets core’s object, the Fetch request is never built, limits apply', async () => {
    const { key, authenticate } = await keyed();
    const edits: Step = {
      name: 'edits',
      requires: ['authenticate'],
      run: async (ctx) => {
        const body = (await ctx.request.json()) as { model: string };
        body.model = 'fallback';
      },
    };
    const app = new Hono<TollgateEnv>();
    app.use('/v1/*', tollgate(gate({ authenticate: authenticate as never, body: { maxBytes: 64 }, steps: [edits] })));
    // @hono/node-server builds the Fetch request behind its light one on first use of body, signal and the like.
    const fetchRequestBuilt = (raw: Request): boolean => Object.getOwnPropertySymbols(raw).some((symbol) => symbol.description === 'requestCache');
    app.post('/v1/chat', async (c) => c.json({ json: (await c.req.json()) as unknown, text: await c.req.text(), built: fetchRequestBuilt(c.req.raw) }));
    const server = await served(app);
    try {
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const sent = await fetch(`${server.url}/v1/chat`, { method: 'POST', headers, body: '{"model":"premium"}' });
      expect(await sent.json()).toEqual({ json: { model: 'fallback' }, text: '{"model":"fallback"}', built: false });
      // Chunked (no Content-Length): read to its end all the same.
      const chunked = await fetch(`${server.url}/v1/chat`, {
        method: 'POST',
        headers,
        body: new ReadableStream({ start: (controller) => { controller.enqueue(new TextEncoder().encode('{"model":')); controller.enqueue(new TextEncoder().encode('"x"}')); controller.close(); } }),
        duplex: 'half',
      } as RequestInit);
      expect(await chunked.json()).toMatchObject({ json: { model: 'fallback' } });
      const tooLarge = await fetch(`${server.url}/v1/chat`, { method: 'POST', headers, body: JSON.stringify({ model: 'x'.repeat(100) }) });
      expect(tooLarge.status).toBe(413);
      expect(((await tooLarge.json()) as { error: { code: string } }).error.code).toBe('request_too_large');
    } finally {
      await server.close();
    }
  });

  it('aborts the context’s signal and finishes as aborted when the client leaves first', async () => {
    const outcomes: unknown[] = [];
    const recorder: Step = { name: 'recorder', requires: [], run: () => undefined, finish: (_ctx, outcome) => void outcomes.push(outcome) };
    const app = new Hono<TollgateEnv>();
    app.use('*', tollgate([recorder]));
    let entered: () => void = () => undefined;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    app.get('/hang', async (c) => {
      const { signal } = c.get('tollgate');
      entered();
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      return c.body(null);
    });
    const server = await served(app);
    try {
      const client = new AbortController();
      const pending = fetch(`${server.url}/hang`, { signal: client.signal }).catch(() => undefined);
      await inHandler;
      client.abort();
      await pending;
      await vi.waitFor(() => expect(outcomes).toEqual([{ status: 200, aborted: true }]));
    } finally {
      await server.close();
    }
  });
});
