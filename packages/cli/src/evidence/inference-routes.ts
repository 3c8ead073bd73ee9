// Which routes serve inference, and the minimal body a probe sends to each.
import type { Pipeline } from '@tollgate/core';

// The model APIs tollgate fronts (OpenAI-compatible, Anthropic, generic generate/predict endpoints).
const knownInferencePath = /\/(?:chat\/completions|completions|embeddings|responses|messages|generate|generate_stream|generations|images\/(?:generations|edits|variations)|audio\/(?:speech|transcriptions|translations)|moderations|rerank|infer|predict|invocations)$/;

/** A route pattern from the module or the command line: `*` stays in a segment, `**` crosses them. */
export function routePattern(pattern: string | RegExp): RegExp {
  if (pattern instanceof RegExp) return pattern;
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\u0000/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/**
 * Whether a route serves inference: a known model API path, a path the module or the command names,
 * or a route that takes a body behind a tollgate pipeline that validates inference requests
 * (validateRequest reads POST bodies only, so a `GET /v1/models` behind it is not an inference route).
 *
 * @example
 * isInferenceRoute('/v1/chat/completions', [], []) // true
 */
export function isInferenceRoute(path: string, patterns: readonly RegExp[], guards: readonly Pipeline[], method = 'POST'): boolean {
  if (knownInferencePath.test(path)) return true;
  if (patterns.some((p) => p.test(path))) return true;
  const takesBody = !['GET', 'HEAD', 'OPTIONS', 'DELETE'].includes(method.toUpperCase());
  return takesBody && guards.some((g) => g.steps.some((s) => s.name === 'validateRequest'));
}

/**
 * A concrete path for a pattern: each `:param` (with its constraint, `:id{[0-9]+}`, `:id(\\d+)`) and each
 * `*` becomes `evidence`.
 *
 * @example
 * concretePath('/t/:tenant/v1/*') // '/t/evidence/v1/evidence'
 */
export function concretePath(path: string): string {
  return path.replace(/:[A-Za-z0-9_]+(?:\{[^}]*\}|\([^)]*\))?\??/g, 'evidence').replace(/\*/g, 'evidence');
}

/**
 * The smallest valid-looking body for an inference route (what a probe sends). Without credentials it
 * must be refused before any of it is read.
 *
 * @example
 * probeBody('/v1/embeddings') // { model: 'tollgate-evidence-probe', input: 'tollgate evidence probe' }
 */
export function probeBody(path: string, model = 'tollgate-evidence-probe'): Record<string, unknown> {
  const text = 'tollgate evidence probe';
  if (/embeddings$|rerank$/.test(path)) return { model, input: text };
  if (/\/completions$/.test(path) && !/chat\/completions$/.test(path)) return { model, prompt: text, max_tokens: 1 };
  if (/responses$/.test(path)) return { model, input: text, max_output_tokens: 16 };
  return { model, messages: [{ role: 'user', content: text }], max_tokens: 1 };
}
