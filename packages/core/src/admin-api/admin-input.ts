// The bodies the admin API accepts, validated strictly: an unknown field is a 400 naming it, never ignored.
import { z } from 'zod';
import { TollgateError } from '../errors/tollgate-error.js';
import type { TgContext } from '../context/tg-context.js';

const isoShape = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
const isoDate = z.string().refine((value) => isoShape.test(value) && Number.isFinite(Date.parse(value)), { message: 'must be an ISO 8601 date such as 2030-01-31T00:00:00Z' });
const names = z.array(z.string().min(1, 'must be a non-empty string').max(256)).max(100);

/** `POST /keys`. */
export const createKeyBody = z.strictObject({
  subject: z.string().min(1).max(256),
  kind: z.enum(['user', 'service']).optional(),
  tenantId: z.string().optional(),
  roles: names.optional(),
  scopes: names.optional(),
  models: names.optional(),
  name: z.string().max(256).optional(),
  env: z.string().regex(/^[a-z0-9]{1,16}$/, 'must be 1-16 lower-case letters or digits').optional(),
  expiresAt: isoDate.optional(),
  metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

/** `POST /keys/:id/rotate`. */
export const rotateKeyBody = z.strictObject({
  graceSeconds: z.number().int().min(0).max(90 * 86_400).optional(),
  expiresAt: isoDate.optional(),
});

/** `POST /keys/:id/revoke`, `POST /tenants/:id/suspend|resume`: nothing to say. */
export const emptyBody = z.strictObject({});

/** `PUT /tenants/:id/limits`: `null` removes the field, absent keeps it. */
export const tenantLimitsBody = z.strictObject({
  limits: z.record(z.string(), z.json()).nullable().optional(),
  budget: z.record(z.string(), z.json()).nullable().optional(),
});

/**
 * The request's JSON body checked against `schema`: `{}` when there is none, a 400 naming the first bad
 * field (`param`) otherwise; 413/415/400 for bodies too large, not JSON, or with a duplicated key.
 * `parsed` is a body the framework already parsed (Fastify), used instead of reading the request.
 *
 * @example
 * const body = await adminBody(context, createKeyBody);
 */
export async function adminBody<T extends z.ZodType>(context: TgContext, schema: T, parsed?: { readonly value: unknown }): Promise<z.output<T>> {
  let raw: unknown;
  if (parsed !== undefined) raw = parsed.value;
  else {
    raw = await context.request.json();
    const structure = await context.request.jsonStructure?.();
    if (structure?.duplicateKey !== undefined) throw new TollgateError('TG_DUPLICATE_KEY', { param: structure.duplicateKey });
  }
  const result = schema.safeParse(raw === undefined ? {} : raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path.map(String).join('.');
  const message = issue.code === 'unrecognized_keys' ? `Unknown field ${JSON.stringify(issue.keys[0])}.` : `${field === '' ? 'The body' : field}: ${issue.message}.`;
  throw new TollgateError('TG_INVALID_REQUEST', { message, param: field === '' ? null : (field ?? null) });
}
