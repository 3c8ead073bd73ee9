// Verified bearer tokens, cached under a salted hash of the token so a steady stream skips signature checks and provider calls.
import { credentialFingerprint } from '../authenticate/credential-fingerprint.js';
import type { Principal } from '../context/principal.js';

interface Entry {
  readonly principal: Principal;
  /** Until then the entry answers without asking anyone. */
  readonly freshUntil: number;
  /** Past freshness, the entry may still answer while the verifier is down, until then. */
  readonly usableUntil: number;
  /** What the verification depended on (a JWKS `kid`), so it can be dropped when that goes away. */
  readonly tag: string | undefined;
}

/** A cached verification. */
export interface CachedToken {
  readonly principal: Principal;
  /** False once past the TTL: usable only while the verifier cannot be reached. */
  readonly fresh: boolean;
}

/** Options of {@link VerifiedTokenCache}. */
export interface VerifiedTokenCacheOptions {
  readonly maxEntries: number;
  readonly now: () => number;
}

/**
 * Maps SHA-256(per-process random salt, token) to the principal it verified as. The token is never
 * stored. Callers bound each entry by the token's own expiry, so nothing is served past `exp`.
 *
 * @example
 * const cache = new VerifiedTokenCache({ maxEntries: 10_000, now: Date.now });
 * const fp = cache.fingerprint(token);
 * cache.set(fp, principal, { freshUntil: Math.min(Date.now() + 30_000, exp * 1000) });
 * cache.get(fp)?.principal;
 */
export class VerifiedTokenCache {
  readonly #fingerprint = credentialFingerprint();
  readonly #entries = new Map<string, Entry>();
  readonly #options: VerifiedTokenCacheOptions;

  constructor(options: VerifiedTokenCacheOptions) {
    this.#options = options;
  }

  /** The cache key of a token. */
  fingerprint(token: string): string {
    return this.#fingerprint(token);
  }

  /** The cached verification, or undefined when there is none or it is past its usable time. */
  get(fingerprint: string): CachedToken | undefined {
    const entry = this.#entries.get(fingerprint);
    if (entry === undefined) return undefined;
    const now = this.#options.now();
    if (!(entry.usableUntil > now)) {
      this.#entries.delete(fingerprint);
      return undefined;
    }
    return { principal: entry.principal, fresh: entry.freshUntil > now };
  }

  /**
   * Caches a verification. `usableUntil` defaults to `freshUntil` (no use past the TTL). An entry whose
   * times are unreadable (NaN) or already past is not cached.
   */
  set(fingerprint: string, principal: Principal, times: { freshUntil: number; usableUntil?: number; tag?: string }): void {
    const now = this.#options.now();
    const freshUntil = times.freshUntil;
    const usableUntil = Math.max(freshUntil, times.usableUntil ?? freshUntil);
    if (!(usableUntil > now)) return;
    this.#entries.delete(fingerprint);
    if (this.#entries.size >= this.#options.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(fingerprint, { principal, freshUntil, usableUntil, tag: times.tag });
  }

  /** Forgets one token (the provider said it is no longer active). */
  delete(fingerprint: string): void {
    this.#entries.delete(fingerprint);
  }

  /** Drops every verification that depended on one of `tags` (keys removed from the JWKS). */
  dropTags(tags: ReadonlySet<string>): void {
    if (tags.size === 0) return;
    for (const [fingerprint, entry] of this.#entries) {
      if (entry.tag !== undefined && tags.has(entry.tag)) this.#entries.delete(fingerprint);
    }
  }

  /** Drops everything. */
  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
