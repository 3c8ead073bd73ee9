// Mounts core's admin API on Hono behind a tollgate middleware; the handler only translates.
import { renderError, TollgateError, type AdminApi, type RenderedResponse } from '@tollgate/core';
import type { Context, Handler } from 'hono';
import { tollgateContext, type TollgateEnv } from './index.js';

/** Options of {@link tollgateAdmin}. */
export interface TollgateAdminOptions {
  /** Where the admin API is mounted (`/admin`); paths are read relative to it. */
  readonly prefix: string;
}

const toResponse = ({ status, headers, body }: RenderedResponse): Response => new Response(body, { status, headers });

/**
 * A Hono handler for the admin API. Register it after a tollgate middleware on the same paths; without
 * one it answers 500 and does nothing.
 *
 * @example
 * app.use('/admin/*', tollgate(adminGate));
 * app.all('/admin/*', tollgateAdmin(adminApi({ keys, tenants }), { prefix: '/admin' }));
 */
export function tollgateAdmin(admin: AdminApi, options: TollgateAdminOptions): Handler<TollgateEnv> {
  const prefix = options.prefix.replace(/\/+$/, '');
  return async function tollgateAdminHandler(c: Context<TollgateEnv>): Promise<Response> {
    const context = tollgateContext(c);
    if (context === undefined) {
      return toResponse(renderError(new TollgateError('TG_PIPELINE_ORDER', { message: 'The server is misconfigured: the admin API must be mounted behind a tollgate middleware.' })));
    }
    const path = c.req.path.startsWith(`${prefix}/`) ? c.req.path.slice(prefix.length) : c.req.path;
    const url = new URL(c.req.url);
    return toResponse(await admin.handle(context, { method: c.req.method, path, query: url.search }));
  };
}
