// Recent remote decisions by question, so a busy route asks the PDP once per TTL; identical questions in flight share one call.
import type { PolicyDecision } from '../authorize/policy-provider.js';

interface Entry {
  readonly decision: PolicyDecision;
  readonly expiresAt: number;
}

/** Options of {@link DecisionCache}. */
export interface DecisionCacheOptions {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly now: () => number;
}

/**
 * Caches decisions under a key (the serialised question). Failures are never cached: the next request
 * asks again. The oldest entry goes first once `maxEntries` is reached.
 *
 * @example
 * const cache = new DecisionCache({ ttlMs: 5_000, maxEntries: 10_000, now: Date.now });
 * const { decision, cached } = await cache.get(key, () => askPdp(body));
 */
export class DecisionCache {
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Map<string, Promise<PolicyDecision>>();
  readonly #options: DecisionCacheOptions;

  constructor(options: DecisionCacheOptions) {
    this.#options = options;
  }

  async get(key: string, load: () => Promise<PolicyDecision>): Promise<{ decision: PolicyDecision; cached: boolean }> {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      if (entry.expiresAt > this.#options.now()) return { decision: entry.decision, cached: true };
      this.#entries.delete(key);
    }
    let flight = this.#inFlight.get(key);
    if (flight === undefined) {
      flight = load()
        .then((decision) => {
          if (this.#entries.size >= this.#options.maxEntries) {
            const oldest = this.#entries.keys().next();
            if (!oldest.done) this.#entries.delete(oldest.value);
          }
          this.#entries.set(key, { decision, expiresAt: this.#options.now() + this.#options.ttlMs });
          return decision;
        })
        .finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, flight);
    }
    return { decision: await flight, cached: false };
  }

  /** Forgets every decision (after a policy change at the PDP). */
  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
