// Options of inferenceLog(), and their one-time validation into settings with every default filled in.
import type { AuditSink } from '../audit-sink/audit-sink.js';
import { chainHasher, type ChainHasher } from '../audit-sink/hash-chain.js';
import { pinoAuditSink } from '../audit-sink/pino-sink.js';
import type { TgContext } from '../context/tg-context.js';
import { ConfigError } from '../errors/tollgate-error.js';
import { wholeNumber } from '../options/option-checks.js';
import type { InferenceTelemetry } from '../telemetry/inference-telemetry.js';
import { contentHasher, type ContentHasher } from './content-hash.js';

/** What is kept of a prompt or an output: a keyed hash, the raw text, or nothing. */
export type CaptureMode = 'hash' | 'raw' | 'none';

/** Strict mode for some tenants only: by id, or by a tag the tenant registry gives them. */
export interface StrictTenants {
  readonly tenants?: readonly string[];
  readonly tenantTags?: readonly string[];
}

/** Options of {@link inferenceLog}. */
export interface InferenceLogOptions {
  /** Where records go, each with its own queue and chain. @default [pinoAuditSink()] (stdout) */
  readonly sinks?: readonly AuditSink[];
  /**
   * Key of the keyed hash (HMAC-SHA-256) of prompts and outputs, at least 32 bytes. Set it to compare
   * hashes across processes and restarts. @default a random key per process
   */
  readonly hashKey?: string | Uint8Array;
  readonly capture?: {
    /** @default 'hash' */
    readonly prompt?: CaptureMode;
    /** @default 'hash' */
    readonly output?: CaptureMode;
    /** Longest raw prompt or output kept, in bytes. @default 16384 */
    readonly maxBytes?: number;
  };
  /** Hash-chain the records of each sink; a key (32+ bytes) makes the chain an HMAC chain. @default false */
  readonly chain?: boolean | { readonly key?: string | Uint8Array };
  /**
   * Refuse a request with 503 (`TG_AUDIT_UNAVAILABLE`) before the handler runs when a sink cannot
   * take its record (sink failing, or queue full): for every request (`true`), for some tenants, or
   * when a function says so. @default false
   */
  readonly strict?: boolean | StrictTenants | ((context: TgContext) => boolean);
  readonly delivery?: {
    /** Records held per sink before new ones are dropped (and counted). @default 10000 */
    readonly maxQueue?: number;
    /** Records per write. @default 100 */
    readonly batchSize?: number;
    /**
     * How long the first record of a batch waits for others (a batch that fills up goes at once), in ms,
     * so that under load one write carries many records. 0 writes as soon as the event loop is free. @default 5
     */
    readonly lingerMs?: number;
    /** First retry delay after a failed write, doubling up to `retryMaxMs`. @default 100 */
    readonly retryMinMs?: number;
    /** @default 5000 */
    readonly retryMaxMs?: number;
    /** A write slower than this counts as failed. @default 10000 */
    readonly writeTimeoutMs?: number;
    /** How long `close()` keeps writing what is queued. @default 5000 */
    readonly closeTimeoutMs?: number;
  };
  /** Longest path, user agent or decision string kept, in characters. @default 512 */
  readonly maxFieldLength?: number;
  /** Fields of the app's own for each record (made safe; tollgate's own field names are refused). */
  readonly fields?: (context: TgContext) => Readonly<Record<string, unknown>> | undefined;
  /** Metrics and traces (`prometheusMetrics()`, `openTelemetryTracing()`). @default [] */
  readonly telemetry?: readonly InferenceTelemetry[];
  /** Told about sink failures and broken `fields` functions, for the app's own logs. @default writes nothing */
  readonly onError?: (error: unknown) => void;
}

/** Validated options with every default applied. */
export interface InferenceLogSettings {
  readonly sinks: readonly AuditSink[];
  readonly hasher: ContentHasher;
  readonly capture: { readonly prompt: CaptureMode; readonly output: CaptureMode; readonly maxBytes: number };
  readonly chain: ChainHasher | undefined;
  readonly strict: ((context: TgContext) => boolean) | undefined;
  readonly strictAlways: boolean;
  readonly delivery: { maxQueue: number; batchSize: number; lingerMs: number; retryMinMs: number; retryMaxMs: number; writeTimeoutMs: number; closeTimeoutMs: number };
  readonly maxFieldLength: number;
  readonly fields: InferenceLogOptions['fields'];
  readonly telemetry: readonly InferenceTelemetry[];
  readonly onError: (error: unknown) => void;
}

const modes: readonly CaptureMode[] = ['hash', 'raw', 'none'];

function captureMode(value: CaptureMode | undefined, name: string): CaptureMode {
  if (value === undefined) return 'hash';
  if (!modes.includes(value)) throw new ConfigError(`${name} must be "hash", "raw" or "none"; got ${JSON.stringify(value)}`);
  return value;
}

function strictPredicate(strict: InferenceLogOptions['strict']): ((context: TgContext) => boolean) | undefined {
  if (strict === undefined || strict === false) return undefined;
  if (strict === true) return () => true;
  if (typeof strict === 'function') return strict;
  if (typeof strict !== 'object' || strict === null) throw new ConfigError('inferenceLog.strict must be a boolean, { tenants, tenantTags } or a function');
  const ids = new Set(strict.tenants ?? []);
  const tags = new Set(strict.tenantTags ?? []);
  for (const value of [...ids, ...tags]) {
    if (typeof value !== 'string' || value === '') throw new ConfigError('inferenceLog.strict.tenants and .tenantTags must list non-empty strings');
  }
  if (ids.size === 0 && tags.size === 0) throw new ConfigError('inferenceLog.strict: list at least one tenant or tenant tag (or use true)');
  return (context) => {
    const id = context.tenant?.id ?? context.principal?.tenantId;
    return (id !== undefined && ids.has(id)) || (context.tenant?.tags.some((tag) => tags.has(tag)) ?? false);
  };
}

function checkSinks(sinks: readonly AuditSink[]): readonly AuditSink[] {
  if (!Array.isArray(sinks)) throw new ConfigError('inferenceLog.sinks must be a list of audit sinks');
  const names = new Set<string>();
  for (const sink of sinks) {
    if (sink === null || typeof sink !== 'object' || typeof sink.write !== 'function' || typeof sink.name !== 'string' || sink.name === '') {
      throw new ConfigError('inferenceLog.sinks: each sink needs a name and a write(records) function');
    }
    if (names.has(sink.name)) throw new ConfigError(`inferenceLog.sinks: two sinks are named "${sink.name}"; give each a unique name`);
    names.add(sink.name);
  }
  return [...sinks];
}

/**
 * Validates the options once, at startup; throws a ConfigError naming the option at fault.
 *
 * @example
 * const settings = inferenceLogSettings({ chain: true, strict: { tenantTags: ['regulated'] } });
 */
export function inferenceLogSettings(options: InferenceLogOptions): InferenceLogSettings {
  if (options === null || typeof options !== 'object') throw new ConfigError('inferenceLog: options must be an object');
  const d = options.delivery ?? {};
  const retryMinMs = wholeNumber(d.retryMinMs, 'inferenceLog.delivery.retryMinMs', 100, 1, 60_000);
  const delivery = {
    maxQueue: wholeNumber(d.maxQueue, 'inferenceLog.delivery.maxQueue', 10_000, 1, 10_000_000),
    batchSize: wholeNumber(d.batchSize, 'inferenceLog.delivery.batchSize', 100, 1, 10_000),
    lingerMs: wholeNumber(d.lingerMs, 'inferenceLog.delivery.lingerMs', 5, 0, 1_000),
    retryMinMs,
    retryMaxMs: wholeNumber(d.retryMaxMs, 'inferenceLog.delivery.retryMaxMs', Math.max(5_000, retryMinMs), retryMinMs, 600_000),
    writeTimeoutMs: wholeNumber(d.writeTimeoutMs, 'inferenceLog.delivery.writeTimeoutMs', 10_000, 1, 600_000),
    closeTimeoutMs: wholeNumber(d.closeTimeoutMs, 'inferenceLog.delivery.closeTimeoutMs', 5_000, 0, 600_000),
  };
  const chain = options.chain;
  if (chain !== undefined && typeof chain !== 'boolean' && (typeof chain !== 'object' || chain === null)) {
    throw new ConfigError('inferenceLog.chain must be a boolean or { key }');
  }
  if (options.fields !== undefined && typeof options.fields !== 'function') throw new ConfigError('inferenceLog.fields must be a function of the context');
  if (options.onError !== undefined && typeof options.onError !== 'function') throw new ConfigError('inferenceLog.onError must be a function');
  const telemetry = options.telemetry ?? [];
  if (!Array.isArray(telemetry) || telemetry.some((t) => t === null || typeof t !== 'object')) {
    throw new ConfigError('inferenceLog.telemetry must be a list (e.g. [await prometheusMetrics()])');
  }
  const strict = strictPredicate(options.strict);
  const onError = options.onError;
  return {
    sinks: checkSinks(options.sinks ?? [pinoAuditSink()]),
    hasher: contentHasher(options.hashKey, 'inferenceLog.hashKey'),
    capture: {
      prompt: captureMode(options.capture?.prompt, 'inferenceLog.capture.prompt'),
      output: captureMode(options.capture?.output, 'inferenceLog.capture.output'),
      maxBytes: wholeNumber(options.capture?.maxBytes, 'inferenceLog.capture.maxBytes', 16_384, 1, 10_485_760),
    },
    chain: chain === undefined || chain === false ? undefined : chainHasher(chain === true ? undefined : chain.key, 'inferenceLog.chain.key'),
    strict,
    strictAlways: options.strict === true,
    delivery,
    maxFieldLength: wholeNumber(options.maxFieldLength, 'inferenceLog.maxFieldLength', 512, 16, 65_536),
    fields: options.fields,
    telemetry: [...telemetry],
    onError: (error) => {
      try {
        onError?.(error);
      } catch {
        // A failing log hook must not break delivery.
      }
    },
  };
}
