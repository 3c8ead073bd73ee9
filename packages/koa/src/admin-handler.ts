// Mounts core's admin API on Koa behind a tollgate middleware; the middleware only translates.
import { renderError, TollgateError, type AdminApi, type RenderedResponse } from '@tollgate/core';
import type { Middleware } from 'koa';
import { tollgateContext, type TollgateState } from './index.js';

/** Options of {@link tollgateAdmin}. */
export interface TollgateAdminOptions {
  /** Where the admin API is mounted (`/admin`); other paths pass to the next middleware. */
  readonly prefix: string;
}

/**
 * Koa middleware serving the admin API under `prefix`. Use it after a tollgate middleware that covers the
 * same paths; without one it answers 500 and does nothing.
 *
 * @example
 * app.use(tollgate(adminGate));
 * app.use(tollgateAdmin(adminApi({ keys, tenants }), { prefix: '/admin' }));
 */
export function tollgateAdmin(admin: AdminApi, options: TollgateAdminOptions): Middleware<TollgateState> {
  const prefix = options.prefix.replace(/\/+$/, '');
  return async function tollgateAdminMiddleware(ctx, next) {
    if (ctx.path !== prefix && !ctx.path.startsWith(`${prefix}/`)) return next();
    const context = tollgateContext(ctx);
    const send = (response: RenderedResponse) => {
      ctx.status = response.status;
      ctx.body = response.body;
      ctx.set(response.headers);
    };
    if (context === undefined) {
      send(renderError(new TollgateError('TG_PIPELINE_ORDER', { message: 'The server is misconfigured: the admin API must be mounted behind a tollgate middleware.' })));
      return;
    }
    // A body parser that ran before left the body on ctx.request.body; otherwise core reads the stream.
    const parsed = (ctx.request as { body?: unknown }).body;
    send(await admin.handle(context, { method: ctx.method, path: ctx.path.slice(prefix.length) || '/', query: ctx.querystring, ...(parsed === undefined ? {} : { body: { value: parsed } }) }));
  };
}
