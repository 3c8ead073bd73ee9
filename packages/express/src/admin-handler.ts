// Mounts core's admin API on Express behind a tollgate middleware; the handler only translates.
import { renderError, TollgateError, type AdminApi, type RenderedResponse } from '@tollgate/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

function send(res: Response, response: RenderedResponse): void {
  res.status(response.status);
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  res.end(response.body);
}

/** The answer when no tollgate middleware ran before the admin API: it is never served unprotected. */
const unguarded = (): RenderedResponse =>
  renderError(new TollgateError('TG_PIPELINE_ORDER', { message: 'The server is misconfigured: the admin API must be mounted behind a tollgate middleware.' }));

/**
 * An Express handler for the admin API. Mount it after a tollgate middleware on the path of your choice;
 * paths are read relative to the mount point (`req.path`). Without a tollgate middleware in front it
 * answers 500 and does nothing.
 *
 * @example
 * import { adminApi, apiKey, gate } from '@tollgate/core';
 * import { tollgate, tollgateAdmin } from '@tollgate/express';
 * const admin = adminApi({ keys, tenants });
 * app.use('/admin', tollgate(gate({ authenticate: { methods: [apiKey({ store: keys })] } })), tollgateAdmin(admin));
 */
export function tollgateAdmin(admin: AdminApi): RequestHandler {
  return function tollgateAdminHandler(req: Request, res: Response, next: NextFunction): void {
    const context = req.tollgate;
    if (context === undefined) {
      send(res, unguarded());
      return;
    }
    const at = req.originalUrl.indexOf('?');
    const query = at < 0 ? '' : req.originalUrl.slice(at + 1);
    // A body parser that ran before tollgate left the body on req.body; otherwise core reads the stream.
    const body = req.body === undefined ? undefined : { value: req.body as unknown };
    admin.handle(context, { method: req.method, path: req.path, query, ...(body === undefined ? {} : { body }) }).then((response) => send(res, response), next);
  };
}
