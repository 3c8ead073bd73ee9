// The remote PDP provider: the OpenID AuthZEN evaluation API over HTTP, with a timeout, a decision cache, failing closed.
import { createHash } from 'node:crypto';
import type { PolicyDecision, PolicyFact, PolicyProvider } from '../authorize/policy-provider.js';
import { ConfigError, TollgateError } from '../errors/tollgate-error.js';
import { wholeNumber } from '../options/option-checks.js';
import { authzenEvaluation, readAuthzenDecision } from './authzen-message.js';
import { DecisionCache } from './decision-cache.js';

/** Options of {@link authzen}. */
export interface AuthzenOptions {
  /** The PDP's access evaluation endpoint, e.g. `https://pdp.internal/access/v1/evaluation`. */
  readonly url: string;
  /** Extra request headers, e.g. `{ authorization: 'Bearer …' }` for the PDP. @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  /** An answer slower than this is a 503. @default 1000 */
  readonly timeoutMs?: number;
  /** Decisions (allow and deny) reused for the same question; `false` asks every time. @default { ttlMs: 5000, maxEntries: 10000 } */
  readonly cache?: false | { readonly ttlMs?: number; readonly maxEntries?: number };
  /** Facts the PDP needs for model actions; without them authorize answers 500 before asking. @default ['model', 'inference'] */
  readonly requiresFacts?: readonly PolicyFact[];
  /** Told why a call failed (the client only sees a 503). @default writes nothing */
  readonly onError?: (error: Error) => void;
  /** Clock for the cache, for tests. @default Date.now */
  readonly now?: () => number;
}

/** The AuthZEN provider, with its cache exposed (e.g. to clear it after a policy change at the PDP). */
export interface AuthzenProvider extends PolicyProvider {
  readonly name: 'authzen';
  readonly cache: DecisionCache | undefined;
}

const maxAnswerBytes = 64 * 1024;

function checkUrl(value: unknown): URL {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new ConfigError(`authzen: url must be an absolute http(s) URL; got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`authzen: url must be http(s); got ${url.protocol}`);
  if (url.username !== '' || url.password !== '') throw new ConfigError('authzen: put PDP credentials in headers, not in the url');
  return url;
}

/**
 * Builds a provider that asks a remote policy decision point through the AuthZEN Access Evaluation API
 * (POST, JSON, `{ subject, action, resource, context }` → `{ decision, context }`). It fails closed: a
 * PDP that is unreachable, slow, answers with a non-200 status or with anything but a boolean decision
 * makes the request a 503 with Retry-After, never an allow. Decisions are cached by question for
 * `cache.ttlMs`; identical questions in flight share one call.
 *
 * @example
 * const provider = authzen({ url: 'https://pdp.internal/access/v1/evaluation', headers: { authorization: `Bearer ${process.env.PDP_TOKEN}` } });
 * const tg = gate({ authenticate, validateRequest, authorize: authorize({ provider }) });
 */
export function authzen(options: AuthzenOptions): AuthzenProvider {
  if (options === null || typeof options !== 'object') throw new ConfigError('authzen: options must be an object');
  const url = checkUrl(options.url);
  const timeoutMs = wholeNumber(options.timeoutMs, 'authzen.timeoutMs', 1_000, 1, 60_000);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name) || typeof value !== 'string' || /[\r\n\0]/.test(value)) throw new ConfigError(`authzen.headers: invalid header ${JSON.stringify(name)}`);
    headers[name.toLowerCase()] = value;
  }
  const requiresFacts = options.requiresFacts ?? ['model', 'inference'];
  if (!Array.isArray(requiresFacts) || requiresFacts.some((f) => !['model', 'inference', 'tenant'].includes(f))) throw new ConfigError('authzen.requiresFacts must list model, inference and/or tenant');
  const cache =
    options.cache === false
      ? undefined
      : new DecisionCache({
          ttlMs: wholeNumber(options.cache?.ttlMs, 'authzen.cache.ttlMs', 5_000, 1, 3_600_000),
          maxEntries: wholeNumber(options.cache?.maxEntries, 'authzen.cache.maxEntries', 10_000, 1, 10_000_000),
          now: options.now ?? Date.now,
        });
  const onError = options.onError;

  const unavailable = (why: string, cause?: unknown): TollgateError => {
    const error = new Error(`authzen: ${why}`, cause === undefined ? undefined : { cause });
    try {
      onError?.(error);
    } catch {
      // A failing log hook must not change the answer.
    }
    return new TollgateError('TG_POLICY_UNAVAILABLE', { retryAfterSeconds: 1, cause: error });
  };

  async function ask(body: string): Promise<PolicyDecision> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' }, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
      text = await response.text();
    } catch (cause) {
      const timedOut = (cause as Error).name === 'TimeoutError';
      throw unavailable(timedOut ? `the PDP did not answer within ${timeoutMs} ms` : `the PDP could not be reached: ${(cause as Error).message}`, cause);
    }
    if (response.status !== 200) throw unavailable(`the PDP answered HTTP ${response.status}`);
    if (text.length > maxAnswerBytes) throw unavailable(`the PDP answered more than ${maxAnswerBytes} bytes`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw unavailable('the PDP answered something that is not JSON', cause);
    }
    const decision = readAuthzenDecision(parsed);
    if (decision === undefined) throw unavailable('the PDP answered without a boolean "decision"');
    return decision;
  }

  return {
    name: 'authzen',
    requiresFacts,
    cache,
    async decide(request) {
      const body = JSON.stringify(authzenEvaluation(request));
      if (cache === undefined) return ask(body);
      const key = createHash('sha256').update(body).digest('base64url');
      const { decision, cached } = await cache.get(key, () => ask(body));
      return cached ? { ...decision, cached } : decision;
    },
  };
}
