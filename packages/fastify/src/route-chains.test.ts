// What the plugin records in each route's config at registration: the pipeline that guards it, or false.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { apiKey, ConfigError, gate, memoryKeyStore, type Step } from '@tollgate/core';
import { tollgate } from './index.js';
import { routeChains } from './route-chains.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

const newGate = () => gate({ authenticate: { methods: [apiKey({ store: memoryKeyStore() })] } });

describe('routeChains().settle', () => {
  it('replaces config.tollgate with the resolved pipeline or false, on a copy of the caller’s config', () => {
    const chain = newGate();
    const steps: Step[] = [{ name: 'own', requires: [], run: () => undefined }];
    const chains = routeChains(chain);
    const callerConfig = { tollgate: steps, other: 1 };
    const own = { config: callerConfig };
    const plain: { config?: { tollgate?: unknown } } = {};
    const open = { config: { tollgate: false } };
    chains.settle(own, 'GET /own');
    chains.settle(plain, 'GET /plain');
    chains.settle(open, 'GET /open');
    expect(own.config).not.toBe(callerConfig);
    expect(callerConfig.tollgate).toBe(steps);
    expect(own.config).toMatchObject({ other: 1, tollgate: { steps } });
    // Settling again (Fastify's HEAD route copies the GET's options) keeps the same pipeline.
    const settled = own.config.tollgate;
    chains.settle(own, 'HEAD /own');
    expect(own.config.tollgate).toBe(settled);
    expect(plain.config?.tollgate).toBe(chain);
    expect(open.config.tollgate).toBe(false);
    expect(() => chains.settle({ config: { tollgate: 'yes' } }, 'GET /bad')).toThrow(ConfigError);
  });

  it('leaves every route of a Fastify app with the chain that guards it in its route config', async () => {
    const chain = newGate();
    const steps: Step[] = [{ name: 'own', requires: [], run: () => undefined }];
    const app = Fastify();
    apps.push(app);
    const seen = new Map<string, unknown>();
    app.addHook('onRequest', async (request) => void seen.set(`${request.method} ${request.url}`, request.routeOptions.config.tollgate));
    app.get('/healthz', async () => 'ok');
    await app.register(
      async (v1) => {
        await v1.register(tollgate, { chain });
        v1.post('/chat/completions', { config: { tollgate: steps } }, async () => 'ok');
        v1.get('/models', async () => 'ok');
        v1.get('/status', { config: { tollgate: false } }, async () => 'ok');
      },
      { prefix: '/v1' },
    );
    for (const [method, url] of [['GET', '/healthz'], ['POST', '/v1/chat/completions'], ['GET', '/v1/models'], ['HEAD', '/v1/models'], ['GET', '/v1/status']] as const) {
      await app.inject({ method, url });
    }
    expect(seen.get('GET /healthz')).toBeUndefined();
    expect(seen.get('POST /v1/chat/completions')).toMatchObject({ steps });
    expect(seen.get('GET /v1/models')).toBe(chain);
    expect(seen.get('HEAD /v1/models')).toBe(chain);
    expect(seen.get('GET /v1/status')).toBe(false);
  });
});
