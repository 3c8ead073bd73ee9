// The AuthZEN provider against a real PDP on loopback: the request it sends, decisions, garbage, timeouts, the cache.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authorizationRequest } from '../authorize/authorization-request.js';
import { authorize } from '../authorize/authorize.js';
import type { ModelInfo, Principal } from '../context/principal.js';
import { ConfigError, TollgateError } from '../errors/tollgate-error.js';
import { createPipeline } from '../pipeline/pipeline.js';
import { authzen, type AuthzenOptions } from './authzen.js';

type Handler = (body: Record<string, unknown>, req: IncomingMessage, res: ServerResponse) => void;

const alice: Principal = { subject: 'alice', kind: 'user', method: 'api_key', keyId: 'k1', tenantId: 'acme', roles: ['analyst'], scopes: ['chat'], claims: { env: 'live' } };
const model: ModelInfo = { name: 'gpt-standard', requested: 'gpt-4', tags: ['shared'], provider: 'openai' };
const request = (subject = alice) =>
  authorizationRequest({
    principal: subject,
    tenant: { id: 'acme', status: 'active', tier: 'pro', tags: ['eu'] },
    action: 'inference:chat',
    model,
    inference: { api: 'chat', stream: true, maxTokens: 256, n: 1, toolCount: 2, messageCount: 3, promptTokens: 9 },
  });

describe('authzen', () => {
  let server: Server;
  let url: string;
  let handler: Handler;
  let calls: { body: Record<string, unknown>; headers: IncomingMessage['headers'] }[];
  const errors: Error[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      req.on('end', () => {
        const body = JSON.parse(text) as Record<string, unknown>;
        calls.push({ body, headers: req.headers });
        handler(body, req, res);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/access/v1/evaluation`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    server.close();
  });
  beforeEach(() => {
    calls = [];
    errors.length = 0;
  });

  const json = (answer: unknown, status = 200): Handler => (_b, _q, res) => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  const pdp = (options: Partial<AuthzenOptions> = {}) => authzen({ url, cache: false, onError: (e) => errors.push(e), ...options });

  it('sends the AuthZEN evaluation request and reads the decision', async () => {
    handler = json({ decision: true, context: { id: 'analysts-chat' } });
    expect(await pdp({ headers: { Authorization: 'Bearer pdp-token' } }).decide(request())).toEqual({ allow: true, rule: 'analysts-chat' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.headers['content-type']).toBe('application/json');
    expect(calls[0]!.headers['authorization']).toBe('Bearer pdp-token');
    expect(calls[0]!.body).toEqual({
      subject: { type: 'user', id: 'alice', properties: { roles: ['analyst'], scopes: ['chat'], method: 'api_key', key_id: 'k1', tenant_id: 'acme', environment: 'live' } },
      action: { name: 'inference:chat', properties: { api: 'chat', stream: true, tools: 2, max_tokens: 256, n: 1 } },
      resource: { type: 'model', id: 'gpt-standard', properties: { requested: 'gpt-4', tags: ['shared'], provider: 'openai' } },
      context: { tenant: { id: 'acme', status: 'active', tier: 'pro', tags: ['eu'] } },
    });
  });

  it('reads denials with their rule, user reason and tollgate extensions', async () => {
    handler = json({ decision: false, context: { id: 'premium', reason_admin: { en: 'policy C076E82F' }, reason_user: { 'en-403': 'Premium models need a manager.' }, fallback_model: 'gpt-mini' } });
    expect(await pdp().decide(request())).toEqual({ allow: false, rule: 'premium', reason: 'Premium models need a manager.', obligations: [{ type: 'fallback-model', model: 'gpt-mini' }] });
    handler = json({ decision: false });
    expect(await pdp().decide(request())).toEqual({ allow: false, rule: 'pdp-deny' });
    handler = json({ decision: false, context: { id: 'x'.repeat(500), conceal: true, required_scope: 'admin' } });
    expect(await pdp().decide(request())).toEqual({ allow: false, rule: 'pdp-deny', conceal: true, requiredScope: 'admin' });
  });

  const garbage: [string, Handler][] = [
    ['not JSON', (_b, _q, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('<html>oops</html>')],
    ['a string decision', json({ decision: 'true' })],
    ['no decision', json({ allowed: true })],
    ['a list', json([{ decision: true }])],
    ['null', json(null)],
    ['HTTP 500', json({ decision: true }, 500)],
    ['HTTP 404', json({ decision: true }, 404)],
    ['a redirect', (_b, _q, res) => void res.writeHead(307, { location: 'http://127.0.0.1:1/' }).end()],
    ['a dropped connection', (_b, req) => req.socket.destroy()],
    ['a huge answer', (_b, _q, res) => void res.writeHead(200).end(JSON.stringify({ decision: true, pad: 'x'.repeat(70_000) }))],
  ];
  for (const [what, answer] of garbage) {
    it(`answers 503, never allow, when the PDP answers ${what}`, async () => {
      handler = answer;
      const error = await Promise.resolve(pdp().decide(request())).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(TollgateError);
      expect((error as TollgateError).code).toBe('TG_POLICY_UNAVAILABLE');
      expect((error as TollgateError).retryAfterSeconds).toBe(1);
      expect(errors).toHaveLength(1);
    });
  }

  it('times out a PDP that does not answer', async () => {
    handler = () => undefined;
    await expect(pdp({ timeoutMs: 50 }).decide(request())).rejects.toMatchObject({ code: 'TG_POLICY_UNAVAILABLE' });
    expect(errors[0]!.message).toContain('did not answer within 50 ms');
  });

  it('fails closed when the PDP is not there at all', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await expect(authzen({ url: `http://127.0.0.1:${port}/access/v1/evaluation`, cache: false }).decide(request())).rejects.toMatchObject({ code: 'TG_POLICY_UNAVAILABLE' });
  });

  it('caches decisions per question for ttlMs, shares concurrent calls, and never caches failures', async () => {
    let now = 0;
    handler = json({ decision: true, context: { id: 'ok' } });
    const cached = authzen({ url, cache: { ttlMs: 1000 }, now: () => now });
    expect(await cached.decide(request())).toEqual({ allow: true, rule: 'ok' });
    expect(await cached.decide(request())).toEqual({ allow: true, rule: 'ok', cached: true });
    expect(calls).toHaveLength(1);
    await cached.decide(request({ ...alice, subject: 'bob' }));
    expect(calls).toHaveLength(2);
    now = 1000;
    await cached.decide(request());
    expect(calls).toHaveLength(3);
    now = 5000;
    const many = await Promise.all(Array.from({ length: 10 }, () => cached.decide(request())));
    expect(many.every((d) => d.allow)).toBe(true);
    expect(calls).toHaveLength(4);
    now = 9000;
    handler = json({ decision: 'maybe' });
    await expect(cached.decide(request())).rejects.toThrow(TollgateError);
    handler = json({ decision: false });
    expect(await cached.decide(request())).toEqual({ allow: false, rule: 'pdp-deny' });
  });

  it('gives the client 503 with Retry-After through authorize, and 500 before asking without model facts', async () => {
    handler = json({ decision: 'garbage' });
    const step = authorize({ provider: pdp() });
    const pipeline = createPipeline({ steps: [{ name: 'authenticate', requires: [], run: (ctx) => void (ctx.principal = alice) }, step] });
    const run = async (path: string) => {
      const handle = pipeline.start({ method: 'POST', path, headerValues: () => [], remoteAddress: '127.0.0.1', body: () => ({ kind: 'none' }) });
      return pipeline.run(handle);
    };
    const response = await run('/admin/keys');
    expect(calls).toHaveLength(0); // no route maps /admin/keys: denied before asking
    expect(response?.status).toBe(403);
    const keys = authorize({ provider: pdp(), routes: [{ path: '/admin/**', action: 'admin:keys' }] });
    const withRoutes = createPipeline({ steps: [{ name: 'authenticate', requires: [], run: (ctx) => void (ctx.principal = alice) }, keys] });
    const down = await withRoutes.run(withRoutes.start({ method: 'POST', path: '/admin/keys', headerValues: () => [], remoteAddress: undefined, body: () => ({ kind: 'none' }) }));
    expect(down?.status).toBe(503);
    expect(down?.headers['retry-after']).toBe('1');
    expect(down?.body).not.toContain('garbage');
    const noModel = await run('/v1/chat/completions');
    expect(noModel?.status).toBe(500);
    expect(JSON.parse(noModel!.body).error.message).toContain('needs validateRequest');
  });

  it('refuses bad options at startup', () => {
    expect(() => authzen({ url: 'not a url' })).toThrow(ConfigError);
    expect(() => authzen({ url: 'ftp://pdp/x' })).toThrow('must be http(s)');
    expect(() => authzen({ url: 'https://user:pw@pdp/x' })).toThrow('not in the url');
    expect(() => authzen({ url, timeoutMs: 0 })).toThrow('authzen.timeoutMs');
    expect(() => authzen({ url, headers: { 'bad header': 'x' } })).toThrow('authzen.headers');
    expect(() => authzen({ url, headers: { x: 'a\r\nb' } })).toThrow('authzen.headers');
    expect(() => authzen({ url, cache: { ttlMs: -1 } })).toThrow('authzen.cache.ttlMs');
    expect(() => authzen({ url, requiresFacts: ['weather' as never] })).toThrow('authzen.requiresFacts');
  });
});
