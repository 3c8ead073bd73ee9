import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiKey, ConfigError, createApiKey, gate, memoryKeyStore, type Step, type TgContext } from '@tollgate/core';
import { tollgate } from './index.js';

const fast = { memoryCost: 1024, timeCost: 1 };
const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function keyed(): Promise<{ key: string; chain: ReturnType<typeof gate> }> {
  const store = memoryKeyStore();
  const { key, record } = await createApiKey({ subject: 'alice', tenantId: 'acme', hash: fast });
  await store.put(record);
  return { key, chain: gate({ authenticate: { methods: [apiKey({ store })] } }) };
}

function app(): FastifyInstance {
  const instance = Fastify();
  apps.push(instance);
  return instance;
}

describe('@tollgate/fastify route config and registration', () => {
  it('leaves a route with config.tollgate false public, with request.auth decorated as undefined', async () => {
    const { chain } = await keyed();
    const fastify = app();
    await fastify.register(tollgate, { chain });
    fastify.get('/status', { config: { tollgate: false } }, async (request) => ({ auth: request.auth ?? 'none', context: request.tollgate ?? 'none' }));
    fastify.get('/private', async () => ({ ok: true }));
    expect((await fastify.inject('/status')).json()).toEqual({ auth: 'none', context: 'none' });
    expect((await fastify.inject('/private')).statusCode).toBe(401);
  });

  it('runs a route’s own chain instead of the plugin’s', async () => {
    const { key, chain } = await keyed();
    const seen: string[] = [];
    const marker: Step = { name: 'marker', requires: ['authenticate'], run: (ctx: TgContext) => void seen.push(ctx.principal!.subject) };
    const routeChain = gate({ authenticate: chain.steps.find((s) => s.name === 'authenticate')! as never, steps: [marker] });
    const fastify = app();
    await fastify.register(tollgate, { chain });
    fastify.get('/marked', { config: { tollgate: routeChain } }, async (request) => ({ subject: request.auth?.subject }));
    fastify.get('/plain', async (request) => ({ subject: request.auth?.subject }));
    const headers = { authorization: `Bearer ${key}` };
    expect((await fastify.inject({ url: '/marked', headers })).json()).toEqual({ subject: 'alice' });
    expect((await fastify.inject({ url: '/plain', headers })).json()).toEqual({ subject: 'alice' });
    expect(seen).toEqual(['alice']);
  });

  it('answers a handler that reads the body through tollgate after no step did with Fastify’s parsed body, not a wait', async () => {
    const { key, chain } = await keyed();
    const fastify = app();
    await fastify.register(tollgate, { chain });
    fastify.post('/late', async (request) => {
      const late = await Promise.race([request.tollgate!.request.json(), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 2_000))]);
      return { late, same: late === request.body };
    });
    const res = await fastify.inject({ method: 'POST', url: '/late', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: '{"a":1}' });
    expect(res.json()).toEqual({ late: { a: 1 }, same: true });
  });

  it('builds a route chain given as a step list once, at startup', async () => {
    const { chain } = await keyed();
    const run = vi.fn();
    const steps: Step[] = [{ name: 'counted', requires: [], run }];
    const fastify = app();
    await fastify.register(tollgate, { chain });
    fastify.get('/a', { config: { tollgate: steps } }, async () => ({ ok: true }));
    expect((await fastify.inject('/a')).statusCode).toBe(200);
    expect((await fastify.inject('/a')).statusCode).toBe(200);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('finishes an injected request as complete, not aborted, and leaves its signal alone', async () => {
    const outcomes: unknown[] = [];
    const signals: AbortSignal[] = [];
    const step: Step = { name: 'watch', requires: [], run: (ctx) => void signals.push(ctx.signal), finish: (_ctx, outcome) => void outcomes.push(outcome) };
    const fastify = app();
    await fastify.register(tollgate, { chain: [step] });
    fastify.get('/a', async () => ({ ok: true }));
    expect((await fastify.inject('/a')).statusCode).toBe(200);
    await vi.waitFor(() => expect(outcomes).toEqual([{ status: 200, aborted: false }]));
    expect(signals[0]!.aborted).toBe(false);
  });

  it('refuses a bad chain at startup, naming the option or the route', async () => {
    await expect(app().register(tollgate, {} as never).ready()).rejects.toThrow(ConfigError);
    await expect(app().register(tollgate, { chain: [] }).ready()).rejects.toThrow(/options\.chain must be a pipeline/);
    const { chain } = await keyed();
    const fastify = app();
    await fastify.register(tollgate, { chain });
    expect(() => fastify.get('/bad', { config: { tollgate: 'yes' as never } }, async () => ({}))).toThrow(/config\.tollgate of GET \/bad/);
  });

  it('refuses a route covered by two nested registrations at startup', async () => {
    const { chain } = await keyed();
    const fastify = app();
    await fastify.register(tollgate, { chain });
    await expect(fastify.register(async (scope) => {
      await scope.register(tollgate, { chain });
      scope.get('/twice', async () => ({}));
    }).ready()).rejects.toThrow(/inside two scopes/);
  });
});

describe('@tollgate/fastify request path', () => {
  it('hands the replayed body to Fastify’s parser, so route schemas still validate it', async () => {
    const { key, chain } = await keyed();
    const readsBody: Step = { name: 'readsBody', requires: ['authenticate'], run: async (ctx) => void (await ctx.request.json()) };
    const fastify = app();
    await fastify.register(tollgate, { chain: gate({ authenticate: chain.steps.find((s) => s.name === 'authenticate')! as never, steps: [readsBody] }) });
    fastify.post('/chat', { schema: { body: { type: 'object', required: ['model'], properties: { model: { type: 'string' } } } } }, async (request) => ({ body: request.body }));
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    expect((await fastify.inject({ method: 'POST', url: '/chat', headers, payload: '{"model":"m"}' })).json()).toEqual({ body: { model: 'm' } });
    expect((await fastify.inject({ method: 'POST', url: '/chat', headers, payload: '{"other":1}' })).statusCode).toBe(400);
  });

  it('hands the handler and the route schema the object core parsed and the steps edited, not Fastify’s own parse', async () => {
    const { key, chain } = await keyed();
    let checked: unknown;
    // Edits the parsed body in place, as a policy's fallback-model obligation does.
    const edits: Step = { name: 'edits', requires: ['authenticate'], run: async (ctx) => void Object.assign((checked = await ctx.request.json()) as object, { model: 'fallback' }) };
    const fastify = app();
    await fastify.register(tollgate, { chain: gate({ authenticate: chain.steps.find((s) => s.name === 'authenticate')! as never, steps: [edits] }) });
    const schema = { body: { type: 'object', required: ['model'], properties: { model: { const: 'fallback' } } } };
    fastify.post('/chat', { schema }, async (request) => ({ same: request.body === checked, body: request.body }));
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const res = await fastify.inject({ method: 'POST', url: '/chat', headers, payload: '{"model":"premium"}' });
    expect(res.json()).toEqual({ same: true, body: { model: 'fallback' } });
  });

  it('still finishes a request whose body was awaited when a later onRequest hook answered it', async () => {
    const { key, chain } = await keyed();
    const finished = vi.fn();
    const readsBody: Step = { name: 'readsBody', requires: [], run: async (ctx) => void (await ctx.request.json()), finish: finished };
    const fastify = app();
    await fastify.register(tollgate, { chain: [readsBody] });
    fastify.addHook('onRequest', async (_request, reply) => reply.code(429).send({ later: true }));
    fastify.post('/x', async () => ({}));
    const res = await fastify.inject({ method: 'POST', url: '/x', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: '{}' });
    expect(res.statusCode).toBe(429);
    await vi.waitFor(() => expect(finished).toHaveBeenCalledTimes(1));
    void chain;
  });

  it('keeps its headers on, and observes raw writes after, reply.hijack(), and finishes once the response ended', async () => {
    const { key, chain } = await keyed();
    const seen: string[] = [];
    const finished = vi.fn();
    const watcher: Step = {
      name: 'watcher',
      requires: [],
      run: () => undefined,
      observeResponse: () => ({ chunk: (chunk) => void seen.push(Buffer.from(chunk).toString()) }),
      finish: finished,
    };
    const fastify = app();
    await fastify.register(tollgate, { chain: gate({ authenticate: chain.steps.find((s) => s.name === 'authenticate')! as never, inferenceLog: watcher }) });
    fastify.get('/sse', (_request, reply) => {
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
      reply.raw.write('data: 1\n\n');
      reply.raw.end('data: [DONE]\n\n');
    });
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`http://127.0.0.1:${(fastify.server.address() as { port: number }).port}/sse`, { headers: { authorization: `Bearer ${key}` } });
    expect(await res.text()).toBe('data: 1\n\ndata: [DONE]\n\n');
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    await vi.waitFor(() => expect(finished).toHaveBeenCalledTimes(1));
    expect(finished.mock.calls[0]![1]).toEqual({ status: 200, aborted: false });
    expect(seen.join('')).toBe('data: 1\n\ndata: [DONE]\n\n');
  });

  it('passes its own unexpected failures to Fastify’s error handler', async () => {
    const { key } = await keyed();
    const store = memoryKeyStore();
    const broken = gate({ authenticate: { methods: [apiKey({ store })] }, errors: { format: () => { throw new Error('renderer bug'); } } });
    const fastify = app();
    const errors: unknown[] = [];
    fastify.setErrorHandler((error, _request, reply) => {
      errors.push(error);
      void reply.code(500).send({ handled: true });
    });
    await fastify.register(tollgate, { chain: broken });
    fastify.get('/x', async () => ({}));
    const res = await fastify.inject({ url: '/x', headers: { authorization: `Bearer ${key}` } });
    expect(res.json()).toEqual({ handled: true });
    expect(errors.some((e) => e instanceof Error && e.message === 'renderer bug')).toBe(true);
  });
});
