// The model registry: names and aliases to what tollgate knows of each model, validated once at startup.
import type { ModelInfo } from '../context/principal.js';
import { ConfigError } from '../errors/tollgate-error.js';
import { formatJsonPath } from '../request/json-structure.js';
import type { InferenceApi } from '../validate-request/api-route.js';
import { defaultTokenizer, modelDefinitionsSchema, type ModelDefinition, type RequestCaps, type TokenCounter, type TokenizerName } from './model-definition.js';

/** A registry entry as validateRequest uses it. */
export interface RegisteredModel {
  /** What the rest of the chain sees as `context.model`, minus `requested`. */
  readonly info: Omit<ModelInfo, 'requested'>;
  readonly caps: RequestCaps;
  readonly tokenizer: TokenizerName | TokenCounter;
  /** The APIs it serves; undefined means every API. */
  readonly apis: readonly InferenceApi[] | undefined;
}

/** Finds models by name or alias. Implement it to back the registry with your own source. */
export interface ModelRegistry {
  /** The entry for a name or alias (exact, case-sensitive), or undefined. */
  resolve(name: string): RegisteredModel | undefined;
  /** `context.model` for a name, for `authorize({ models })` fallbacks. */
  lookup(name: string): ModelInfo | undefined;
  /** Canonical names, in the order given. */
  readonly names: readonly string[];
}

const frozen = <T>(value: T): T => Object.freeze(value);

function entryOf(name: string, definition: ModelDefinition): RegisteredModel {
  const { provider, contextWindow, maxOutputTokens, price, capabilities } = definition;
  if (contextWindow !== undefined && maxOutputTokens !== undefined && maxOutputTokens > contextWindow) {
    throw new ConfigError(`modelRegistry: models[${JSON.stringify(name)}].maxOutputTokens (${maxOutputTokens}) is larger than its contextWindow (${contextWindow})`);
  }
  const info: Omit<ModelInfo, 'requested'> = frozen({
    name,
    ...(provider === undefined ? {} : { provider }),
    tags: frozen([...(definition.tags ?? [])]),
    ...(contextWindow === undefined ? {} : { contextWindow }),
    ...(maxOutputTokens === undefined ? {} : { maxOutputTokens }),
    ...(price === undefined ? {} : { price: frozen({ inputPerMTok: price.inputPerMTok, outputPerMTok: price.outputPerMTok }) }),
    ...(capabilities === undefined ? {} : { capabilities: frozen({ ...capabilities }) }),
  });
  return frozen({
    info,
    caps: frozen({ ...definition.caps }),
    tokenizer: definition.tokenizer ?? defaultTokenizer(name, provider),
    apis: definition.apis === undefined ? undefined : frozen([...new Set(definition.apis)]),
  });
}

/**
 * Builds a registry from `name → definition`, validating every entry once (a mistake throws a
 * ConfigError naming the model and field). Aliases must not collide with each other or with names.
 * The caller's object is copied, never kept or changed.
 *
 * @example
 * const models = modelRegistry({
 *   'gpt-4o-mini': { provider: 'openai', aliases: ['gpt-4o-mini-2024-07-18'], contextWindow: 128000, maxOutputTokens: 16384,
 *     price: { inputPerMTok: 0.15, outputPerMTok: 0.6 }, tags: ['tier:basic'], capabilities: { streaming: true, tools: true, vision: true } },
 * });
 * models.resolve('gpt-4o-mini-2024-07-18')?.info.name // 'gpt-4o-mini'
 */
export function modelRegistry(definitions: Readonly<Record<string, ModelDefinition>>): ModelRegistry {
  if (definitions === null || typeof definitions !== 'object' || Array.isArray(definitions)) {
    throw new ConfigError('modelRegistry: expected an object of model name → definition');
  }
  const parsed = modelDefinitionsSchema(true).safeParse(definitions);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((issue) => `  ${formatJsonPath(['models', ...issue.path])}: ${issue.message}`);
    throw new ConfigError(`modelRegistry: invalid model definitions:\n${problems.join('\n')}`);
  }
  const byName = new Map<string, RegisteredModel>();
  const names: string[] = [];
  for (const [name, definition] of Object.entries(parsed.data as Record<string, ModelDefinition>)) {
    const entry = entryOf(name, definition);
    byName.set(name, entry);
    names.push(name);
  }
  for (const [name, definition] of Object.entries(parsed.data as Record<string, ModelDefinition>)) {
    for (const alias of definition.aliases ?? []) {
      const taken = byName.get(alias);
      if (taken !== undefined && taken.info.name !== name) {
        throw new ConfigError(`modelRegistry: alias ${JSON.stringify(alias)} of ${JSON.stringify(name)} is already the name or an alias of ${JSON.stringify(taken.info.name)}`);
      }
      byName.set(alias, byName.get(name)!);
    }
  }
  return frozen({
    names: frozen(names),
    resolve: (name: string) => (typeof name === 'string' ? byName.get(name) : undefined),
    lookup: (name: string) => {
      const entry = typeof name === 'string' ? byName.get(name) : undefined;
      return entry === undefined ? undefined : { ...entry.info, requested: name };
    },
  });
}
