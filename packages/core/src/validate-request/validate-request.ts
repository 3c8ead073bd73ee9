// The validateRequest step: body read once and checked, model resolved, prompt tokens estimated, caps enforced, usage read back.
import type { TgContext } from '../context/tg-context.js';
import { TollgateError } from '../errors/tollgate-error.js';
import { modelNotFoundError } from '../authorize/fallback-model.js';
import type { ClosableStep } from '../gate.js';
import type { RegisteredModel } from '../model-registry/model-registry.js';
import { valueDepth } from '../request/json-structure.js';
import { estimatePromptTokens } from '../token-estimate/prompt-tokens.js';
import { textCounter, type TextCounter } from '../token-estimate/text-tokens.js';
import type { ResponseDecision } from '../usage/output-checker.js';
import { usageObserver, type UsageObserver } from '../usage/response-observer.js';
import { apiResolver, type InferenceApi } from './api-route.js';
import { checkCaps, checkContextWindow, effectiveCaps } from './caps.js';
import { checkContent } from './check-content.js';
import { requestChecker } from './request-schemas.js';
import { requestShape, type RequestShape } from './request-shape.js';
import { resolveValidateOptions, type ResolvedValidateOptions, type ValidateRequestOptions } from './validate-request-options.js';
import type { ValidateRequestDecision } from './validate-request-decision.js';

/** The validateRequest step. */
export interface ValidateRequestStep extends ClosableStep {
  readonly name: 'validateRequest';
  /** Resolves once the tokenizers the registry's models use are loaded (they load in the background from the start). */
  ready(): Promise<void>;
}

/** What a request's response side needs from its request side. */
interface RequestState {
  readonly api: InferenceApi;
  readonly model: string;
  readonly promptTokens: number;
  readonly counter: TextCounter;
  readonly decision: ValidateRequestDecision;
  observer?: UsageObserver;
}

function refuseCapability(param: string, message: string): TollgateError {
  return new TollgateError('TG_UNSUPPORTED_CAPABILITY', { param, message });
}

function checkCapabilities(shape: RequestShape, model: RegisteredModel): void {
  const { capabilities, name } = model.info;
  if (model.apis !== undefined && !model.apis.includes(shape.api)) throw refuseCapability('model', `The model "${name}" is not served on this endpoint.`);
  if (shape.stream && capabilities?.streaming === false) throw refuseCapability('stream', `The model "${name}" does not support streaming.`);
  if (shape.toolCount > 0 && capabilities?.tools === false) throw refuseCapability('tools', `The model "${name}" does not support tools.`);
  if (shape.imageCount > 0 && capabilities?.vision === false) throw refuseCapability(shape.messagesParam, `The model "${name}" does not accept images.`);
}

async function readBody(context: TgContext, settings: ResolvedValidateOptions): Promise<{ body: unknown; duplicatesChecked: boolean }> {
  const body = await context.request.json();
  if (body === undefined) throw new TollgateError('TG_INVALID_REQUEST', { message: 'The request has no body; send a JSON object.' });
  const structure = (await context.request.jsonStructure?.()) ?? { duplicateKey: undefined, depth: valueDepth(body, settings.maxDepth), duplicatesChecked: false };
  if (settings.duplicateKeys === 'refuse' && structure.duplicateKey !== undefined) {
    throw new TollgateError('TG_DUPLICATE_KEY', { param: structure.duplicateKey, message: `The key '${structure.duplicateKey}' appears twice; send each key once.` });
  }
  if (structure.depth > settings.maxDepth) {
    throw new TollgateError('TG_BODY_TOO_DEEP', { message: `The request body nests ${structure.depth} levels deep; at most ${settings.maxDepth} are accepted.` });
  }
  return { body, duplicatesChecked: structure.duplicatesChecked };
}

/**
 * Builds the validateRequest step. For a POST to an inference endpoint it reads the body once (413,
 * 415, 400 for bad JSON), refuses duplicate keys and deep nesting, checks the body against its API's
 * schema (400 with `param`), resolves the model (400 `model_not_found`), estimates prompt tokens,
 * enforces capabilities, caps and the context window, runs the content check, and sets
 * `context.model` and `context.inference`. On the way back it reads usage from the response.
 *
 * @example
 * const tg = gate({
 *   authenticate: { methods: [apiKey({ store })] },
 *   validateRequest: validateRequest({ models: { 'gpt-4o-mini': { provider: 'openai', contextWindow: 128000, maxOutputTokens: 16384 } } }),
 * });
 */
export function validateRequest(options: ValidateRequestOptions): ValidateRequestStep {
  const settings = resolveValidateOptions(options);
  const apiOf = apiResolver(settings.routes, settings.wellKnownPaths);
  const check = requestChecker(settings.unknownFields, settings.allowFields);
  const states = new WeakMap<TgContext, RequestState>();
  const counters = new Map<RegisteredModel['tokenizer'], Promise<TextCounter>>();
  // Loaded counters, so a request whose tokenizer is ready does not wait a turn for it.
  const loadedCounters = new Map<RegisteredModel['tokenizer'], TextCounter>();
  const counterFor = (model: RegisteredModel): Promise<TextCounter> => {
    let counter = counters.get(model.tokenizer);
    if (counter === undefined) {
      counter = textCounter(model.tokenizer);
      counter.then((loaded) => loadedCounters.set(model.tokenizer, loaded), () => undefined);
      counters.set(model.tokenizer, counter);
    }
    return counter;
  };
  // Start loading the tokenizers now, so the first request does not pay for it; failures surface in ready().
  const loading = Promise.all(settings.registry.names.map((name) => settings.registry.resolve(name)).filter((m) => m !== undefined).map(counterFor)).then(() => undefined);
  loading.catch(() => undefined);

  return {
    name: 'validateRequest',
    requires: [],
    ready: () => loading,
    async run(context) {
      if (context.request.method !== 'POST') return;
      const { path, route } = context.request;
      const api = apiOf(path) ?? (route === undefined ? undefined : apiOf(route));
      if (api === undefined) {
        if (settings.otherRoutes === 'refuse') throw new TollgateError('TG_UNKNOWN_ROUTE');
        return;
      }
      const { body, duplicatesChecked } = await readBody(context, settings);
      const validated = check(api, body);
      const shape = requestShape(validated);
      const model = settings.registry.resolve(shape.model);
      if (model === undefined) throw modelNotFoundError(shape.model);
      context.model = { ...model.info, requested: shape.model };
      checkCapabilities(shape, model);
      const counter = loadedCounters.get(model.tokenizer) ?? (await counterFor(model));
      const estimate = estimatePromptTokens(validated, model.info.name, counter, settings.tokenizerBudgetMs);
      context.inference = { api, stream: shape.stream, maxTokens: shape.maxTokens, n: shape.n, toolCount: shape.toolCount, messageCount: shape.messageCount, promptTokens: estimate.tokens };
      const caps = effectiveCaps(model.caps, settings.caps, context.tenant?.tier);
      const decision: ValidateRequestDecision = {
        api, model: model.info.name, requested: shape.model, promptTokens: estimate.tokens,
        tokenizer: estimate.tokenizer, exact: estimate.exact, duplicatesChecked, caps,
      };
      context.decisions['validateRequest'] = decision;
      checkCaps(shape, estimate.tokens, caps, model.info.maxOutputTokens);
      if (settings.checkContextWindow) checkContextWindow(shape, estimate.tokens, model.info.contextWindow);
      if (settings.contentCheck !== undefined) decision.content = await checkContent(settings.contentCheck, validated, model.info.name);
      states.set(context, { api, model: model.info.name, promptTokens: estimate.tokens, counter, decision });
    },
    observeResponse(context, control) {
      const state = states.get(context);
      if (state === undefined || (!settings.readUsage && settings.output === undefined)) return undefined;
      const response: ResponseDecision = {};
      state.decision.response = response;
      const budgetMs = settings.tokenizerBudgetMs;
      state.observer = usageObserver(context, control, {
        api: state.api,
        model: state.model,
        promptTokens: state.promptTokens,
        countOutput: (text) => state.counter.count(text, { deadline: performance.now() + budgetMs, exhausted: false }),
        output: settings.output,
        recordUsage: settings.readUsage,
        maxJsonBytes: settings.maxResponseBytes,
        maxEventBytes: 1_048_576,
      }, response);
      return state.observer;
    },
    async finish(context) {
      const state = states.get(context);
      // Dropped now, not left to the GC: a WeakMap entry that outlives its request slows young collections.
      states.delete(context);
      // Output checks still running are waited for (each is bounded by its timeout), so the record has their verdicts.
      await state?.observer?.settled();
    },
  };
}
