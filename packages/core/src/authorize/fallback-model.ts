// Carries out a fallback-model obligation: the request goes to a permitted model instead of being denied.
import type { ModelInfo } from '../context/principal.js';
import type { TgContext } from '../context/tg-context.js';
import { TollgateError } from '../errors/tollgate-error.js';

/** Finds a model in the model registry by name (validateRequest's registry). */
export type ModelLookup = (name: string) => ModelInfo | undefined | Promise<ModelInfo | undefined>;

/**
 * The answer for an unknown model, and for a model a policy conceals from the caller: the two must be
 * byte-identical so that a denial never tells a caller that another tenant's model exists.
 *
 * @example
 * throw modelNotFoundError(body.model);
 */
export function modelNotFoundError(requested: string): TollgateError {
  const name = requested.length > 256 ? `${requested.slice(0, 256)}…` : requested;
  return new TollgateError('TG_MODEL_NOT_FOUND', { param: 'model', message: `The model "${name}" does not exist or you do not have access to it.` });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Routes the request to `target`: rewrites `context.model` (keeping what the client asked for in
 * `requested`) and the parsed body's `model`, which is the object the handler receives, and sets
 * `header` on the response. Resolves false, changing nothing, when the body has no `model` to rewrite:
 * the upstream call would otherwise still go to the denied model.
 *
 * @example
 * if (await routeToFallback(context, cheaper, 'x-tollgate-model-rewritten')) return;
 */
export async function routeToFallback(context: TgContext, target: ModelInfo, header: string): Promise<boolean> {
  const original = context.model;
  if (original === undefined) return false;
  const body = await context.request.json();
  if (!isPlainObject(body) || typeof body['model'] !== 'string') return false;
  body['model'] = target.name;
  context.model = { ...target, requested: original.requested };
  // Registry names are normally plain ASCII; anything else is percent-encoded so the header stays valid.
  context.responseHeaders[header] = /^[\x21-\x7e]+$/.test(target.name) ? target.name : encodeURIComponent(target.name);
  return true;
}
