// @tollgate/fastify: runs a tollgate pipeline as a Fastify 5 plugin; all behaviour lives in core.
import type { Principal, TgContext } from '@tollgate/core';
import fp from 'fastify-plugin';
import { tollgatePlugin, type TollgatePluginOptions } from './tollgate-plugin.js';
import type { TollgateRouteConfig } from './route-chains.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, set by tollgate; undefined on routes tollgate does not guard. */
    auth: Principal | undefined;
    /** tollgate's per-request context (request id, decisions, usage, abort signal). */
    tollgate: TgContext | undefined;
  }
  interface FastifyContextConfig {
    /** `false`: this route is public. A chain: it guards this route instead of the plugin's chain. */
    tollgate?: TollgateRouteConfig;
  }
}

/**
 * The tollgate plugin for Fastify 5. It guards every route of the scope it is registered in (it is
 * wrapped with fastify-plugin, so register it inside the scope to protect, e.g. a `/v1` prefix).
 * Authentication runs in `onRequest`, before any body byte is read; steps that read the body run at
 * the parsing stage, and `request.body` is then the object they checked and edited (a fallback
 * model, a lowered `max_tokens`), for route schemas and the handler alike.
 *
 * @example
 * import { apiKey, gate, memoryKeyStore } from '@tollgate/core';
 * import { tollgate } from '@tollgate/fastify';
 * app.register(async (v1) => {
 *   await v1.register(tollgate, { chain: gate({ authenticate: { methods: [apiKey({ store: memoryKeyStore() })] } }) });
 *   v1.post('/chat/completions', async (request) => ({ caller: request.auth?.subject }));
 *   v1.get('/status', { config: { tollgate: false } }, async () => ({ ok: true }));
 * }, { prefix: '/v1' });
 */
export const tollgate = fp(tollgatePlugin, { fastify: '5.x', name: '@tollgate/fastify' });

/** The tollgate context of a request, or undefined when no tollgate chain ran for it. */
export function tollgateContext(request: { tollgate: TgContext | undefined }): TgContext | undefined {
  return request.tollgate;
}

export type { TollgatePluginOptions };
export type { TollgateChain, TollgateRouteConfig } from './route-chains.js';
export { tollgateAdmin } from './admin-handler.js';
