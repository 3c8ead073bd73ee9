// Options of validateRequest(), their defaults, and their one-time check at startup.
import { ConfigError } from '../errors/tollgate-error.js';
import { modelRegistry, type ModelRegistry } from '../model-registry/model-registry.js';
import { requestCapsSchema, type ModelDefinition, type RequestCaps } from '../model-registry/model-definition.js';
import { wholeNumber } from '../options/option-checks.js';
import type { OutputSettings } from '../usage/output-checker.js';
import type { InferenceApi } from './api-route.js';
import type { TierCaps } from './caps.js';
import type { ContentDetector, OutputDetector } from './content-check.js';
import type { UnknownFields } from './request-schemas.js';

/** The prompt check: a detector, its time limit, and what its failure means. */
export interface ContentCheckOptions {
  /** E.g. `heuristicInjectionDetector()` (a documented baseline) or your own classifier. */
  readonly detector: ContentDetector;
  /** @default 2000 */
  readonly timeoutMs?: number;
  /** A detector that throws or times out: refuse (503, retryable), flag, or pass. @default 'refuse' */
  readonly onError?: 'refuse' | 'flag' | 'pass';
}

/** The response-side checks; model output is treated as untrusted. */
export interface OutputCheckOptions {
  /** Check each response and stream event against its API's shape: record (`flag`) or cut the stream (`block`). @default 'off' */
  readonly schema?: 'off' | 'flag' | 'block';
  /** Checks the output text; `block` withholds a held JSON answer (see `hold`) and aborts the context's signal, cutting a stream off. */
  readonly detector?: OutputDetector;
  /** @default 2000 */
  readonly timeoutMs?: number;
  /** Streams: run the detector again every this many new characters (0: at the end only). @default 0 */
  readonly everyChars?: number;
  /** A detector that throws or times out counts as this (`block`: fail closed). @default 'flag' */
  readonly onError?: 'flag' | 'pass' | 'block';
  /**
   * With a detector or `schema: 'block'`: hold each non-streamed JSON answer back (status, headers and
   * body, up to `maxResponseBytes`) until the checks answered, so a blocked answer never reaches the
   * client (it gets 502 `TG_OUTPUT_BLOCKED` instead). `false`: send at once, and `block` only records.
   * Streams are never held. @default true
   */
  readonly hold?: boolean;
  /** Output characters kept for the detector. @default 1000000 */
  readonly maxChars?: number;
}

/** Options of {@link validateRequest}. */
export interface ValidateRequestOptions {
  /** The model registry: `modelRegistry({...})`, your own `ModelRegistry`, or the definitions themselves. */
  readonly models: ModelRegistry | Readonly<Record<string, ModelDefinition>>;
  /** Exact paths of your own mapped to the API they speak; tried before the well-known paths. @default {} */
  readonly routes?: Readonly<Record<string, InferenceApi>>;
  /** Recognise paths ending in `/v1/chat/completions`, `/v1/completions`, `/v1/embeddings`, `/v1/responses`, `/v1/messages`. @default true */
  readonly wellKnownPaths?: boolean;
  /** A POST to any other path: let it through untouched, or answer 404. @default 'pass' */
  readonly otherRoutes?: 'pass' | 'refuse';
  /** Top-level fields an API does not define: let them through, or 400 `unknown_parameter`. @default 'pass' */
  readonly unknownFields?: UnknownFields;
  /** With `unknownFields: 'refuse'`, extra top-level fields to allow (vendor extensions such as `top_k`). @default [] */
  readonly allowFields?: readonly string[];
  /** A key twice in one object: refuse (400) or let the last one win as JSON.parse does. @default 'refuse' */
  readonly duplicateKeys?: 'refuse' | 'allow';
  /** Deepest nesting of arrays and objects in a body. @default 64 */
  readonly maxDepth?: number;
  /** Caps for every request (`default`) and by tenant tier (`tiers`, from `context.tenant.tier`). @default none */
  readonly caps?: TierCaps;
  /** Refuse a prompt plus output cap over the model's context window. @default true */
  readonly checkContextWindow?: boolean;
  /** Time one request may spend in the tokenizer; past it the rest is estimated conservatively. @default 50 */
  readonly tokenizerBudgetMs?: number;
  /** A prompt-injection / content check. @default none */
  readonly contentCheck?: ContentCheckOptions;
  /** Read usage from responses into `context.recordUsage`. @default true */
  readonly readUsage?: boolean;
  /** Response-side checks. @default none */
  readonly output?: OutputCheckOptions;
  /** Largest JSON response read for usage. @default 8388608 */
  readonly maxResponseBytes?: number;
}

/** The options after their checks, with every default filled in. */
export interface ResolvedValidateOptions {
  readonly registry: ModelRegistry;
  readonly routes: Readonly<Record<string, InferenceApi>>;
  readonly wellKnownPaths: boolean;
  readonly otherRoutes: 'pass' | 'refuse';
  readonly unknownFields: UnknownFields;
  readonly allowFields: readonly string[];
  readonly duplicateKeys: 'refuse' | 'allow';
  readonly maxDepth: number;
  readonly caps: TierCaps | undefined;
  readonly checkContextWindow: boolean;
  readonly tokenizerBudgetMs: number;
  readonly contentCheck: { readonly detector: ContentDetector; readonly timeoutMs: number; readonly onError: 'refuse' | 'flag' | 'pass' } | undefined;
  readonly readUsage: boolean;
  readonly output: OutputSettings | undefined;
  readonly maxResponseBytes: number;
}

function oneOf<T extends string>(value: T | undefined, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) throw new ConfigError(`validateRequest.${name} must be ${allowed.map((a) => `"${a}"`).join(' or ')}; got ${JSON.stringify(value)}`);
  return value;
}

function flag(value: boolean | undefined, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(`validateRequest.${name} must be true or false; got ${JSON.stringify(value)}`);
  return value;
}

function checkCaps(caps: RequestCaps | undefined, name: string): RequestCaps | undefined {
  if (caps === undefined) return undefined;
  const parsed = requestCapsSchema.safeParse(caps);
  if (!parsed.success) throw new ConfigError(`validateRequest.${name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(caps)'} ${i.message}`).join('; ')}`);
  return Object.freeze({ ...parsed.data });
}

function isRegistry(models: ValidateRequestOptions['models']): models is ModelRegistry {
  return typeof (models as Partial<ModelRegistry>).resolve === 'function' && Array.isArray((models as Partial<ModelRegistry>).names);
}

/**
 * Checks every option once and fills in the defaults; throws a ConfigError naming the option at fault.
 * The caller's object is read, never changed.
 *
 * @example
 * const settings = resolveValidateOptions({ models: { 'gpt-4o': { contextWindow: 128000 } } });
 */
export function resolveValidateOptions(options: ValidateRequestOptions): ResolvedValidateOptions {
  if (options === null || typeof options !== 'object') throw new ConfigError('validateRequest: options must be an object');
  if (options.models === null || typeof options.models !== 'object') throw new ConfigError('validateRequest.models is required: a model registry or { name: definition }');
  const registry = isRegistry(options.models) ? options.models : modelRegistry(options.models);
  const allowFields = options.allowFields ?? [];
  if (!Array.isArray(allowFields) || !allowFields.every((f) => typeof f === 'string' && f !== '')) throw new ConfigError('validateRequest.allowFields must be a list of field names');
  const content = options.contentCheck;
  if (content !== undefined && typeof content?.detector !== 'function') throw new ConfigError('validateRequest.contentCheck.detector must be a function (input, signal) => verdict');
  const output = options.output;
  if (output?.detector !== undefined && typeof output.detector !== 'function') throw new ConfigError('validateRequest.output.detector must be a function (input, signal) => verdict');
  const tiers = options.caps?.tiers ?? {};
  return {
    registry,
    routes: { ...options.routes },
    wellKnownPaths: flag(options.wellKnownPaths, 'wellKnownPaths', true),
    otherRoutes: oneOf(options.otherRoutes, 'otherRoutes', ['pass', 'refuse'], 'pass'),
    unknownFields: oneOf(options.unknownFields, 'unknownFields', ['pass', 'refuse'], 'pass'),
    allowFields: [...allowFields],
    duplicateKeys: oneOf(options.duplicateKeys, 'duplicateKeys', ['refuse', 'allow'], 'refuse'),
    maxDepth: wholeNumber(options.maxDepth, 'validateRequest.maxDepth', 64, 2, 1000),
    caps: options.caps === undefined ? undefined : {
      ...(options.caps.default === undefined ? {} : { default: checkCaps(options.caps.default, 'caps.default')! }),
      tiers: Object.fromEntries(Object.entries(tiers).map(([tier, caps]) => [tier, checkCaps(caps, `caps.tiers.${tier}`)!])),
    },
    checkContextWindow: flag(options.checkContextWindow, 'checkContextWindow', true),
    tokenizerBudgetMs: wholeNumber(options.tokenizerBudgetMs, 'validateRequest.tokenizerBudgetMs', 50, 1, 10_000),
    contentCheck: content === undefined ? undefined : {
      detector: content.detector,
      timeoutMs: wholeNumber(content.timeoutMs, 'validateRequest.contentCheck.timeoutMs', 2000, 1, 60_000),
      onError: oneOf(content.onError, 'contentCheck.onError', ['refuse', 'flag', 'pass'], 'refuse'),
    },
    readUsage: flag(options.readUsage, 'readUsage', true),
    output: output === undefined ? undefined : {
      schema: oneOf(output.schema, 'output.schema', ['off', 'flag', 'block'], 'off'),
      detector: output.detector,
      timeoutMs: wholeNumber(output.timeoutMs, 'validateRequest.output.timeoutMs', 2000, 1, 60_000),
      everyChars: wholeNumber(output.everyChars, 'validateRequest.output.everyChars', 0, 0, 10_000_000),
      onError: oneOf(output.onError, 'output.onError', ['flag', 'pass', 'block'], 'flag'),
      hold: flag(output.hold, 'output.hold', true),
      maxChars: wholeNumber(output.maxChars, 'validateRequest.output.maxChars', 1_000_000, 1, 100_000_000),
    },
    maxResponseBytes: wholeNumber(options.maxResponseBytes, 'validateRequest.maxResponseBytes', 8_388_608, 1024, 1_073_741_824),
  };
}
