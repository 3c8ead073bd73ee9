// Config section `inferenceLog`: sinks, hashing, chaining, strict mode and delivery of the inference record.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import type { AuditSink } from '../../audit-sink/audit-sink.js';
import { pinoAuditSink } from '../../audit-sink/pino-sink.js';
import type { InferenceLogOptions } from '../../inference-log/inference-log-options.js';
import { wholeNumberField } from '../config-fields.js';
import type { ConfigPath } from '../config-path.js';

const secretKey = z.string().refine((value) => Buffer.byteLength(value, 'utf8') >= 32, { error: 'must be at least 32 bytes long' });
const captureMode = z.enum(['hash', 'raw', 'none']);
const nonEmpty = z.string().min(1, { error: 'must not be empty' });

/** One sink. Postgres and other driver-backed sinks are added in code (`sinks` of `inferenceLog()`). */
const sinkSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('stdout') }),
  z.strictObject({ type: z.literal('stderr') }),
  z.strictObject({
    type: z.literal('file'),
    /** The file records are appended to; relative to the config file's directory. */
    path: nonEmpty,
    /** Flush each batch to disk before it counts as written. @default false */
    fsync: z.boolean().optional(),
  }),
]);

/** Where and how every request is recorded. */
export const inferenceLogSchema = z.strictObject({
  /** @default [{ type: stdout }] */
  sinks: z.array(sinkSchema).optional(),
  /** Key of the keyed hash of prompts and outputs (32+ bytes). @default a random key per process */
  hashKey: secretKey.optional(),
  capture: z.strictObject({ prompt: captureMode.optional(), output: captureMode.optional(), maxBytes: wholeNumberField(1, 10_485_760).optional() }).optional(),
  /** `true` chains with SHA-256; `{ key }` chains with HMAC-SHA-256 under the key. @default false */
  chain: z.union([z.boolean(), z.strictObject({ key: secretKey })], { error: 'must be true, false or { key }' }).optional(),
  /** `true` for every request, or the tenants (by id or tag) whose requests need a record. @default false */
  strict: z
    .union(
      [
        z.boolean(),
        z
          .strictObject({ tenants: z.array(nonEmpty).optional(), tenantTags: z.array(nonEmpty).optional() })
          .refine((value) => (value.tenants?.length ?? 0) + (value.tenantTags?.length ?? 0) > 0, { error: 'list at least one tenant or tenant tag (or use true)' }),
      ],
      { error: 'must be true, false or { tenants, tenantTags }' },
    )
    .optional(),
  delivery: z
    .strictObject({
      maxQueue: wholeNumberField(1, 10_000_000).optional(),
      batchSize: wholeNumberField(1, 10_000).optional(),
      lingerMs: wholeNumberField(0, 1_000).optional(),
      retryMinMs: wholeNumberField(1, 60_000).optional(),
      retryMaxMs: wholeNumberField(1, 600_000).optional(),
      writeTimeoutMs: wholeNumberField(1, 600_000).optional(),
      closeTimeoutMs: wholeNumberField(0, 600_000).optional(),
    })
    .optional(),
  maxFieldLength: wholeNumberField(16, 65_536).optional(),
});

export type InferenceLogConfig = z.infer<typeof inferenceLogSchema>;

/**
 * The inferenceLog options a validated section describes, sinks built. A file sink's file is created
 * (mode 0600) now, so an unwritable path fails at startup; `fail` reports it at the field's path.
 *
 * @example
 * const options = buildInferenceLogOptions({ sinks: [{ type: 'file', path: 'audit.log' }], chain: true }, '/etc/tollgate', (p, e) => { throw e; });
 */
export function buildInferenceLogOptions(config: InferenceLogConfig, baseDir: string, fail: (path: ConfigPath, error: unknown) => never): InferenceLogOptions {
  const sinks: AuditSink[] = (config.sinks ?? [{ type: 'stdout' }]).map((sink, index) => {
    if (sink.type !== 'file') return pinoAuditSink({ destination: sink.type });
    const path = isAbsolute(sink.path) ? sink.path : resolve(baseDir, sink.path);
    try {
      mkdirSync(dirname(path), { recursive: true });
      closeSync(openSync(path, 'a', 0o600));
    } catch (error) {
      return fail(['sinks', index, 'path'], error);
    }
    return pinoAuditSink({ destination: { path, ...(sink.fsync === undefined ? {} : { fsync: sink.fsync }) }, name: `file:${sink.path}` });
  });
  const { capture, delivery, chain, strict } = config;
  return {
    sinks,
    ...(config.hashKey === undefined ? {} : { hashKey: config.hashKey }),
    ...(capture === undefined ? {} : { capture: { ...capture } }),
    ...(chain === undefined ? {} : { chain: typeof chain === 'boolean' ? chain : { key: chain.key } }),
    ...(strict === undefined ? {} : { strict: typeof strict === 'boolean' ? strict : { ...(strict.tenants ? { tenants: [...strict.tenants] } : {}), ...(strict.tenantTags ? { tenantTags: [...strict.tenantTags] } : {}) } }),
    ...(delivery === undefined ? {} : { delivery: { ...delivery } }),
    ...(config.maxFieldLength === undefined ? {} : { maxFieldLength: config.maxFieldLength }),
  };
}
