// Which inference API a request is, decided from its path: the well-known endpoints, and the app's own.
import type { InferenceInfo } from '../context/principal.js';
import { ConfigError } from '../errors/tollgate-error.js';

/** An inference API tollgate can validate. */
export type InferenceApi = InferenceInfo['api'];

/** Every API, in the order the docs list them. */
export const inferenceApis: readonly InferenceApi[] = ['chat', 'completions', 'embeddings', 'responses', 'anthropic_messages'];

// With their `/v1`, so that `/v1/threads/abc/messages` (OpenAI Assistants) is not taken for Anthropic's.
const wellKnownEndings: ReadonlyArray<readonly [string, InferenceApi]> = [
  ['/v1/chat/completions', 'chat'],
  ['/v1/completions', 'completions'],
  ['/v1/embeddings', 'embeddings'],
  ['/v1/responses', 'responses'],
  ['/v1/messages', 'anthropic_messages'],
];

/** Finds the API of a request path. */
export type ApiResolver = (path: string) => InferenceApi | undefined;

function normalise(path: string): string {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.toLowerCase();
}

/**
 * Builds the path → API lookup. Custom `routes` (exact paths, any case, trailing slash ignored) are
 * tried first; then, unless `wellKnownPaths` is false, any path ending in a well-known endpoint
 * (`/v1/chat/completions`, `/openai/v1/embeddings`, `/anthropic/v1/messages`, …). Paths are
 * compared without case, as Express and Fastify route them by default.
 *
 * @example
 * const apiOf = apiResolver({ '/llm/chat': 'chat' }, true);
 * apiOf('/llm/chat') // 'chat'
 * apiOf('/api/v1/chat/completions') // 'chat'
 */
export function apiResolver(routes: Readonly<Record<string, InferenceApi>> | undefined, wellKnownPaths: boolean): ApiResolver {
  const custom = new Map<string, InferenceApi>();
  for (const [path, api] of Object.entries(routes ?? {})) {
    if (typeof path !== 'string' || !path.startsWith('/')) throw new ConfigError(`validateRequest.routes: ${JSON.stringify(path)} must be a path starting with "/"`);
    if (!inferenceApis.includes(api)) {
      throw new ConfigError(`validateRequest.routes[${JSON.stringify(path)}] must be one of ${inferenceApis.join(', ')}; got ${JSON.stringify(api)}`);
    }
    custom.set(normalise(path), api);
  }
  return (path) => {
    const key = normalise(path);
    const mapped = custom.get(key);
    if (mapped !== undefined || !wellKnownPaths) return mapped;
    for (const [ending, api] of wellKnownEndings) if (key.endsWith(ending)) return api;
    return undefined;
  };
}
