// The admin API mounted with each adapter (Express, Fastify, Hono, Koa): the same answers over a real socket.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi, apiKey, createApiKey, gate, memoryKeyStore, type AdminApi, type Gate, type WritableKeyStore } from '@tollgate/core';
import { tollgate as expressTollgate, tollgateAdmin as expressAdmin } from '@tollgate/express';
import { tollgate as fastifyTollgate, tollgateAdmin as fastifyAdmin } from '@tollgate/fastify';
import { tollgate as honoTollgate, tollgateAdmin as honoAdmin, type TollgateEnv } from '@tollgate/hono';
import { tollgate as koaTollgate, tollgateAdmin as koaAdmin } from '@tollgate/koa';
import { rememberSecret } from '../support/secret-ledger.js';

const fast = { memoryCost: 1024, timeCost: 1 };
type Mount = (chain: Gate, admin: AdminApi) => Promise<{ url: string; close(): Promise<void> }>;

const closeNode = (server: Server | ServerType) => new Promise<void>((resolve) => {
  (server as Server).closeAllConnections?.();
  server.close(() => resolve());
});
const nodeUrl = (server: Server | ServerType) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const mounts: Record<string, Mount> = {
  async express(chain, admin) {
    const app = express();
    app.use('/admin', expressTollgate(chain), expressAdmin(admin));
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { url: nodeUrl(server), close: () => closeNode(server) };
  },
  async fastify(chain, admin) {
    const app = Fastify();
    await app.register(async (scope) => {
      await scope.register(fastifyTollgate, { chain });
      scope.all('/*', fastifyAdmin(admin));
    }, { prefix: '/admin' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { url: nodeUrl(app.server), close: async () => { app.server.closeAllConnections(); await app.close(); } };
  },
  async hono(chain, admin) {
    const app = new Hono<TollgateEnv>();
    app.use('/admin/*', honoTollgate(chain));
    app.all('/admin/*', honoAdmin(admin, { prefix: '/admin' }));
    const server = await new Promise<ServerType>((resolve) => {
      const running = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(running));
    });
    return { url: nodeUrl(server), close: () => closeNode(server) };
  },
  async koa(chain, admin) {
    const app = new Koa();
    app.use(koaTollgate(chain));
    app.use(koaAdmin(admin, { prefix: '/admin' }));
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { url: nodeUrl(server), close: () => closeNode(server) };
  },
};

for (const [name, mount] of Object.entries(mounts)) {
  describe(`admin API on ${name}`, () => {
    let keys: WritableKeyStore;
    let chain: Gate;
    let running: { url: string; close(): Promise<void> };
    let admin: string;
    let reader: string;
    const call = async (method: string, path: string, key: string | undefined, body?: unknown) => {
      const response = await fetch(`${running.url}/admin${path}`, {
        method,
        headers: { ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
    };
    beforeAll(async () => {
      keys = memoryKeyStore();
      const make = async (scopes: string[]) => {
        const created = await createApiKey({ subject: `sub-${scopes.length}`, tenantId: 'acme', scopes, hash: fast });
        await keys.put(created.record);
        rememberSecret(created.key);
        return created.key;
      };
      admin = await make(['admin:keys']);
      reader = await make([]);
      chain = gate({ authenticate: { methods: [apiKey({ store: keys, lastUsed: false })] } });
      running = await mount(chain, adminApi({ keys, hash: fast }));
    });
    afterAll(async () => {
      await running.close();
      await chain.close();
    });

    it('creates, lists, rotates and revokes keys; refuses callers without the permission', async () => {
      expect((await call('GET', '/keys', undefined)).status).toBe(401);
      expect((await call('GET', '/keys', reader)).status).toBe(403);
      const created = await call('POST', '/keys', admin, { subject: 'svc', kind: 'service' });
      expect(created.status).toBe(201);
      rememberSecret(created.body['key'] as string);
      const id = (created.body['record'] as { id: string }).id;
      expect(((await call('GET', '/keys', admin)).body['data'] as Array<{ id: string }>).map((k) => k.id)).toContain(id);
      const rotated = await call('POST', `/keys/${id}/rotate`, admin, { graceSeconds: 60 });
      expect(rotated.status).toBe(201);
      rememberSecret(rotated.body['key'] as string);
      const anonymous = await call('POST', `/keys/${(rotated.body['record'] as { id: string }).id}/revoke`, undefined);
      expect(anonymous.status).toBe(401);
      expect((await call('POST', `/keys/${(rotated.body['record'] as { id: string }).id}/revoke`, admin)).body['status']).toBe('revoked');
    });

    it('answers bad bodies, unknown paths and wrong methods the same way', async () => {
      expect((await call('POST', '/keys', admin, { subject: 'svc', surprise: true })).body['error']).toMatchObject({ tg_code: 'TG_INVALID_REQUEST', param: 'surprise' });
      expect((await call('GET', '/nothing', admin)).status).toBe(404);
      const wrong = await call('PUT', '/keys', admin, {});
      expect([wrong.status, wrong.headers.get('allow')]).toEqual([405, 'GET, POST']);
    });
  });
}
