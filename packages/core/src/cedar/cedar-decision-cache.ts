// Recent Cedar evaluations by their whole input, so a repeated question skips the engine (a few hundred µs each).

/** What one evaluation said: the decision and the policies that determined it. */
export interface CedarOutcome {
  readonly decision: 'allow' | 'deny' | null;
  /** Policies that determined (stateful) or were satisfied (partial). */
  readonly determining: readonly string[];
}

/** Options of {@link CedarDecisionCache}. */
export interface CedarDecisionCacheOptions {
  readonly maxEntries: number;
  readonly ttlMs: number;
  readonly now: () => number;
}

interface Entry {
  readonly outcome: CedarOutcome;
  readonly expiresAt: number;
}

/**
 * A bounded LRU of evaluations of one policy set, keyed by everything the engine was given (principal,
 * action, resource, context and entities, and whether evaluation was partial). Evaluation is a pure
 * function of that input and the policy set, so an entry is exactly what evaluating again would give;
 * a new policy set gets a new cache. Failures are never cached.
 *
 * @example
 * const cache = new CedarDecisionCache({ maxEntries: 10_000, ttlMs: 60_000, now: Date.now });
 * const outcome = cache.get(key) ?? cache.set(key, evaluate());
 */
export class CedarDecisionCache {
  readonly #entries = new Map<string, Entry>();
  readonly #options: CedarDecisionCacheOptions;

  constructor(options: CedarDecisionCacheOptions) {
    this.#options = options;
  }

  /** The outcome stored under `key`, if fresh; a hit becomes the most recently used entry. */
  get(key: string): CedarOutcome | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= this.#options.now()) return undefined;
    this.#entries.set(key, entry);
    return entry.outcome;
  }

  /** Stores an outcome (evicting the least recently used entry when full) and returns it. */
  set(key: string, outcome: CedarOutcome): CedarOutcome {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#options.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    // Frozen: every later hit hands out this same object.
    const kept = Object.freeze({ decision: outcome.decision, determining: Object.freeze([...outcome.determining]) });
    this.#entries.set(key, { outcome: kept, expiresAt: this.#options.now() + this.#options.ttlMs });
    return kept;
  }

  /** Forgets every outcome. */
  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
