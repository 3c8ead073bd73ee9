// Mounts core's admin API on Fastify as a wildcard route inside a scope the tollgate plugin guards.
import { renderError, TollgateError, type AdminApi, type RenderedResponse } from '@tollgate/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

const send = (reply: FastifyReply, { status, headers, body }: RenderedResponse) => reply.code(status).headers(headers).send(body);

/**
 * A route handler for the admin API, for a `/*` route in a scope where the tollgate plugin is
 * registered (paths are read from the wildcard, relative to the scope's prefix). Fastify parses the
 * body; it is handed to core as it is. Without a tollgate chain in front it answers 500 and does nothing.
 *
 * @example
 * app.register(async (scope) => {
 *   await scope.register(tollgate, { chain: adminGate });
 *   scope.all('/*', tollgateAdmin(adminApi({ keys, tenants })));
 * }, { prefix: '/admin' });
 */
export function tollgateAdmin(admin: AdminApi): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  return async function tollgateAdminHandler(request, reply) {
    const context = request.tollgate;
    if (context === undefined) {
      return send(reply, renderError(new TollgateError('TG_PIPELINE_ORDER', { message: 'The server is misconfigured: the admin API must be mounted behind a tollgate middleware.' })));
    }
    const rest = (request.params as { '*'?: string })['*'] ?? '';
    const at = request.url.indexOf('?');
    const body = request.body === undefined || request.body === null ? undefined : { value: request.body as unknown };
    const response = await admin.handle(context, { method: request.method, path: `/${rest}`, query: at < 0 ? '' : request.url.slice(at + 1), ...(body === undefined ? {} : { body }) });
    return send(reply, response);
  };
}
