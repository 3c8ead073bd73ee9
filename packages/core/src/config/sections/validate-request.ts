// Config section `validateRequest`: body checks, caps by tier, the content check and the response side.
import { z } from 'zod';
import { ConfigError } from '../../errors/tollgate-error.js';
import type { ModelRegistry } from '../../model-registry/model-registry.js';
import { heuristicInjectionDetector } from '../../validate-request/heuristic-injection-detector.js';
import type { ValidateRequestOptions } from '../../validate-request/validate-request-options.js';
import { validateRequest, type ValidateRequestStep } from '../../validate-request/validate-request.js';
import { wholeNumberField } from '../config-fields.js';
import type { ConfigPath } from '../config-path.js';
import { buildModelRegistry, capsSchema, type ModelsConfig } from './models.js';

const api = z.enum(['chat', 'completions', 'embeddings', 'responses', 'anthropic_messages']);

/** `contentCheck:` the built-in baseline detector (a classifier of your own is plugged in code). */
const contentCheckSchema = z.strictObject({
  /** Only `heuristic` (the documented baseline) can be named in a file. */
  detector: z.literal('heuristic', { error: 'must be "heuristic" (other detectors are given in code)' }),
  /** What a match does. @default flag */
  action: z.enum(['flag', 'deny']).optional(),
  /** Roles whose texts are scanned. @default [user, tool] */
  roles: z.array(z.string().min(1)).optional(),
  timeoutMs: wholeNumberField(1, 60_000).optional(),
  onError: z.enum(['refuse', 'flag', 'pass']).optional(),
});

/** `validateRequest:` the step's options that a file can hold. */
export const validateRequestSchema = z.strictObject({
  routes: z.record(z.string().regex(/^\//, { error: 'must be a path starting with "/"' }), api).optional(),
  wellKnownPaths: z.boolean().optional(),
  otherRoutes: z.enum(['pass', 'refuse']).optional(),
  unknownFields: z.enum(['pass', 'refuse']).optional(),
  allowFields: z.array(z.string().min(1)).optional(),
  duplicateKeys: z.enum(['refuse', 'allow']).optional(),
  maxDepth: wholeNumberField(2, 1000).optional(),
  caps: z.strictObject({ default: capsSchema.optional(), tiers: z.record(z.string().min(1), capsSchema).optional() }).optional(),
  checkContextWindow: z.boolean().optional(),
  tokenizerBudgetMs: wholeNumberField(1, 10_000).optional(),
  contentCheck: contentCheckSchema.optional(),
  readUsage: z.boolean().optional(),
  output: z
    .strictObject({
      schema: z.enum(['off', 'flag', 'block']).optional(),
      maxChars: wholeNumberField(1, 100_000_000).optional(),
    })
    .optional(),
  maxResponseBytes: wholeNumberField(1024, 1_073_741_824).optional(),
});

export type ValidateRequestConfig = z.infer<typeof validateRequestSchema>;

/**
 * The options `validateRequest()` gets for a validated section and the registry built from `models:`:
 * every field given, none invented, in fresh objects.
 *
 * @example
 * const options = toValidateRequestOptions({ unknownFields: 'refuse' }, registry, (path, error) => { throw error; });
 */
export function toValidateRequestOptions(config: ValidateRequestConfig, models: ModelRegistry | undefined, fail: (path: ConfigPath, error: unknown) => never): ValidateRequestOptions {
  if (models === undefined) return fail([], new ConfigError('validateRequest needs a models: section (the model registry)'));
  const { contentCheck, caps, output, routes, allowFields, ...plain } = config;
  return {
    ...plain,
    models,
    ...(routes === undefined ? {} : { routes: { ...routes } }),
    ...(allowFields === undefined ? {} : { allowFields: [...allowFields] }),
    ...(caps === undefined ? {} : { caps: { ...(caps.default === undefined ? {} : { default: { ...caps.default } }), ...(caps.tiers === undefined ? {} : { tiers: { ...caps.tiers } }) } }),
    ...(output === undefined ? {} : { output: { ...output } }),
    ...(contentCheck === undefined
      ? {}
      : {
          contentCheck: {
            detector: heuristicInjectionDetector({ ...(contentCheck.action === undefined ? {} : { action: contentCheck.action }), ...(contentCheck.roles === undefined ? {} : { roles: [...contentCheck.roles] }) }),
            ...(contentCheck.timeoutMs === undefined ? {} : { timeoutMs: contentCheck.timeoutMs }),
            ...(contentCheck.onError === undefined ? {} : { onError: contentCheck.onError }),
          },
        }),
  };
}

/**
 * The registry of `models:` and the validateRequest step, when either section is present: `models:`
 * alone turns the step on with its defaults; `validateRequest:` without `models:` is a mistake.
 * Problems are reported through `fail` at their path from the config root.
 *
 * @example
 * const built = buildValidateRequestStep(config, (path, error) => { throw error; });
 * built?.step // the validateRequest step for gate()
 */
export function buildValidateRequestStep(
  config: { readonly models?: ModelsConfig | undefined; readonly validateRequest?: ValidateRequestConfig | undefined },
  fail: (path: ConfigPath, error: unknown) => never,
): { readonly registry: ModelRegistry; readonly step: ValidateRequestStep } | undefined {
  if (config.models === undefined && config.validateRequest === undefined) return undefined;
  let registry: ModelRegistry | undefined;
  try {
    registry = config.models === undefined ? undefined : buildModelRegistry(config.models);
  } catch (error) {
    return fail(['models'], error);
  }
  const options = toValidateRequestOptions(config.validateRequest ?? {}, registry, (path, error) => fail(['validateRequest', ...path], error));
  try {
    return { registry: registry!, step: validateRequest(options) };
  } catch (error) {
    return fail(['validateRequest'], error);
  }
}
