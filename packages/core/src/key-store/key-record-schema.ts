// Validates key records that arrive untyped (key files, CLI input, database rows) before a store holds them.
import { z } from 'zod';
import { ConfigError } from '../errors/tollgate-error.js';
import type { KeyRecord } from './key-record.js';

// ISO 8601 date, or date-time with an explicit zone: a zone-less time would mean different instants on different hosts.
const isoShape = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
const isoDate = z
  .string()
  .refine((value) => isoShape.test(value) && Number.isFinite(Date.parse(value)), {
    message: 'must be an ISO 8601 date such as 2030-01-31T00:00:00Z',
  });
const nonEmpty = z.string().min(1, 'must be a non-empty string');
// Missing roles/scopes default to [] so hand-written key files stay short; a present value must be a list.
const stringList = z.array(nonEmpty).default([]);
const keyId = z.string().regex(/^[0-9A-Za-z]{12}$/, 'must be 12 base62 characters');

/**
 * The shape of a {@link KeyRecord}. Objects are strict: an unknown field (often a typo such as
 * `expires_at`) is refused rather than silently ignored. `roles` and `scopes` default to `[]`
 * when missing; every other required field must be present. Date strings are kept as written.
 *
 * @example
 * const result = keyRecordSchema.safeParse(JSON.parse(text));
 * if (!result.success) console.error(result.error.issues);
 */
export const keyRecordSchema = z.strictObject({
  id: keyId,
  env: z.string().regex(/^[a-z0-9]{1,16}$/, 'must be 1-16 lower-case letters or digits'),
  hash: z.string().startsWith('$argon2id$', 'must be an argon2id PHC string starting with "$argon2id$"'),
  subject: nonEmpty.max(256, 'must be at most 256 characters'),
  kind: z.enum(['user', 'service'], { error: 'must be "user" or "service"' }),
  tenantId: nonEmpty.optional(),
  roles: stringList,
  scopes: stringList,
  models: z.array(nonEmpty).optional(),
  name: z.string().optional(),
  createdAt: isoDate,
  expiresAt: isoDate.optional(),
  revokedAt: isoDate.optional(),
  metadata: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, number or boolean' }))
    .optional(),
  rotatedTo: keyId.optional(),
  rotatedFrom: keyId.optional(),
  lastUsedAt: isoDate.optional(),
});

// Compile-time guards: the schema's output is a KeyRecord, and it names every field KeyRecord has.
type SchemaOutput = z.output<typeof keyRecordSchema>;
const outputIsKeyRecord: (value: SchemaOutput) => KeyRecord = (value) => value;
type MissingFields = Exclude<keyof KeyRecord, keyof SchemaOutput>;
const noMissingFields: [MissingFields] extends [never] ? true : MissingFields = true;
void outputIsKeyRecord;
void noMissingFields;

/** `roles[0]`, `metadata.team`, or `record` for the record itself. */
function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out === '' ? 'record' : out;
}

/** One line per problem, the field path first, e.g. `expiresAt: must be an ISO 8601 date …`. */
export function describeKeyRecordIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        const at = issue.path.length === 0 ? '' : `${pathText(issue.path)}: `;
        return `${at}unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
      }
      // zod reports a missing field as a type error; say so plainly.
      if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) return `${pathText(issue.path)}: is required`;
      return `${pathText(issue.path)}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * Checks an untyped value and returns it as a {@link KeyRecord}, or throws a {@link ConfigError}
 * whose message starts with `where` and names the path of each bad field.
 *
 * @example
 * const record = parseKeyRecord(doc.keys[3], 'keys.yaml line 40 (keys[3])');
 * // throws ConfigError: "Invalid key record in keys.yaml line 40 (keys[3]): expiresAt: must be an ISO 8601 date …"
 */
export function parseKeyRecord(value: unknown, where: string): KeyRecord {
  const result = keyRecordSchema.safeParse(value);
  if (result.success) return result.data;
  throw new ConfigError(`Invalid key record in ${where}: ${describeKeyRecordIssues(result.error)}`, { cause: result.error });
}
