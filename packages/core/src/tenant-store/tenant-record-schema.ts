// Validates tenants that arrive untyped (tenant files, CLI input, database rows) before a store holds them.
import { z } from 'zod';
import type { Tenant } from '../context/principal.js';
import { ConfigError } from '../errors/tollgate-error.js';

const tenantIdPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * Whether a string can be a tenant id: 1–128 characters of `[A-Za-z0-9._:-]`, starting with a letter
 * or digit. The same rule applies to the tenant header, so ids are always safe to log and echo.
 *
 * @example
 * isTenantId('acme-eu') // true
 * isTenantId('../etc') // false
 */
export function isTenantId(value: unknown): value is string {
  return typeof value === 'string' && tenantIdPattern.test(value);
}

const tag = z.string().min(1, 'must be a non-empty string').max(256, 'must be at most 256 characters');
// Limits and budgets are read by rateLimit, which defines their fields; here they only need to be plain data.
const plainData = z.record(z.string(), z.json());

/**
 * The shape of a {@link Tenant}. Strict: an unknown field (often a typo such as `tenant_id`) is refused.
 * `status` defaults to `active` and `tags` to `[]`, so a hand-written tenant can be just `{ id }`.
 *
 * @example
 * tenantRecordSchema.parse({ id: 'acme', tier: 'enterprise' })
 * // { id: 'acme', status: 'active', tier: 'enterprise', tags: [] }
 */
export const tenantRecordSchema = z.strictObject({
  id: z.string().refine(isTenantId, 'must be 1-128 characters of A-Z a-z 0-9 . _ : - starting with a letter or digit'),
  status: z.enum(['active', 'suspended'], { error: 'must be "active" or "suspended"' }).default('active'),
  tier: z.string().min(1, 'must be a non-empty string').optional(),
  tags: z.array(tag).default([]),
  limits: plainData.optional(),
  budget: plainData.optional(),
});

// Compile-time guard: the schema's output is a Tenant.
const outputIsTenant: (value: z.output<typeof tenantRecordSchema>) => Tenant = (value) => value;
void outputIsTenant;

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out === '' ? 'tenant' : out;
}

/** One clause per problem, the field path first, e.g. `status: must be "active" or "suspended"`. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
      if (issue.code === 'invalid_type' && issue.input === undefined) return `${pathText(issue.path)}: is required`;
      return `${pathText(issue.path)}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * Checks an untyped value and returns it as a {@link Tenant}, or throws a {@link ConfigError} whose
 * message starts with `where` and names each bad field.
 *
 * @example
 * const tenant = parseTenantRecord(doc.tenants[2], 'tenants.yaml line 12 (tenants[2])');
 */
export function parseTenantRecord(value: unknown, where: string): Tenant {
  const result = tenantRecordSchema.safeParse(value);
  if (result.success) return result.data;
  throw new ConfigError(`Invalid tenant in ${where}: ${describeIssues(result.error)}`, { cause: result.error });
}
