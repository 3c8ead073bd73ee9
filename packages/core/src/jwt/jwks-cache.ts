// A provider's JWKS in memory: refreshed when old or when an unknown kid shows up (at most once per cooldown),
// one fetch for any number of waiting requests, and the last good keys kept through an outage up to a limit.
import { createLocalJWKSet, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';
import { TollgateError } from '../errors/tollgate-error.js';
import { fetchJsonObject, RemoteEndpointError, type RemoteCallLimits } from '../bearer-token/remote-endpoint.js';

/** Options of {@link JwksCache}. */
export interface JwksCacheOptions {
  /** Where the JWKS is (resolved on each fetch, so discovery can supply it). */
  readonly uri: () => Promise<URL>;
  readonly limits: RemoteCallLimits;
  /** Keys older than this are refetched before use. */
  readonly maxAgeMs: number;
  /** Fewest milliseconds between two fetch attempts (unknown kids, failures). */
  readonly cooldownMs: number;
  /** Last good keys are used this long after they were fetched while refreshes fail; then 503. */
  readonly maxStalenessMs: number;
  readonly now: () => number;
  /** Told the kids a successful refresh no longer lists. */
  readonly onKeysRemoved?: (kids: ReadonlySet<string>) => void;
  /** Told every failed fetch, including those the last good keys cover. */
  readonly onError?: (error: Error) => void;
}

interface KeySet {
  readonly resolve: JWTVerifyGetKey;
  readonly kids: ReadonlySet<string>;
  readonly fetchedAt: number;
}

const publicKeyTypes = new Set(['RSA', 'EC', 'OKP']);

/** The verification keys of a JWKS document: public RSA/EC/OKP keys only; private or symmetric members are ignored. */
export function usableKeys(document: Record<string, unknown>): JWK[] {
  const keys = document['keys'];
  if (!Array.isArray(keys)) throw new RemoteEndpointError('JWKS has no "keys" list');
  return keys.filter(
    (k): k is JWK => typeof k === 'object' && k !== null && publicKeyTypes.has((k as JWK).kty as string) && !('d' in k) && ((k as JWK).use === undefined || (k as JWK).use === 'sig'),
  );
}

/**
 * The remote JWKS of one provider.
 *
 * @example
 * const jwks = new JwksCache({ uri: async () => new URL('https://idp.example.com/jwks'), limits, maxAgeMs: 600_000, cooldownMs: 30_000, maxStalenessMs: 3_600_000, now: Date.now });
 * const getKey = await jwks.keysFor(header.kid);
 */
export class JwksCache {
  readonly #options: JwksCacheOptions;
  #keys: KeySet | undefined;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #lastError: Error | undefined;
  #inflight: Promise<void> | undefined;
  #fetches = 0;

  constructor(options: JwksCacheOptions) {
    this.#options = options;
  }

  /** Fetches started so far (for metrics and tests). */
  get fetches(): number {
    return this.#fetches;
  }

  /** Until when the keys in use count as current (fetch time + maxAgeMs); verifications made with them are not reused past it. */
  get freshUntil(): number | undefined {
    return this.#keys === undefined ? undefined : this.#keys.fetchedAt + this.#options.maxAgeMs;
  }

  /** When the keys in use were fetched; undefined before the first success. */
  get fetchedAt(): number | undefined {
    return this.#keys?.fetchedAt;
  }

  /**
   * The key resolver to verify a token with header `kid`. Throws TG_VERIFIER_UNAVAILABLE (503 with
   * Retry-After) when no usable keys can be had; an unknown kid after a good fetch is left for the
   * resolver to refuse (401).
   */
  async keysFor(kid: string | undefined): Promise<JWTVerifyGetKey> {
    if (this.#keys === undefined || this.#options.now() - this.#keys.fetchedAt >= this.#options.maxAgeMs) await this.#refresh();
    const keys = this.#keys;
    if (keys === undefined || this.#options.now() - keys.fetchedAt > this.#options.maxStalenessMs) throw this.#unavailable();
    if (kid !== undefined && !keys.kids.has(kid)) {
      await this.#refresh();
      // Keys we could not refresh cannot prove a new kid wrong: that is an outage, not a bad token.
      if (this.#lastError !== undefined && !this.#keys!.kids.has(kid)) throw this.#unavailable();
    }
    return this.#keys!.resolve;
  }

  /** Fetches now unless a fetch is running or the cooldown forbids it; resolves when done. Never rejects. */
  refresh(): Promise<void> {
    return this.#refresh();
  }

  #refresh(): Promise<void> {
    if (this.#inflight !== undefined) return this.#inflight;
    const now = this.#options.now();
    if (now - this.#lastAttemptAt < this.#options.cooldownMs) return Promise.resolve();
    this.#lastAttemptAt = now;
    this.#fetches++;
    this.#inflight = this.#load().finally(() => (this.#inflight = undefined));
    return this.#inflight;
  }

  async #load(): Promise<void> {
    try {
      const document = await fetchJsonObject(await this.#options.uri(), this.#options.limits);
      const keys = usableKeys(document);
      if (keys.length === 0) throw new RemoteEndpointError('JWKS lists no usable public signing key');
      const resolve = createLocalJWKSet({ keys } as JSONWebKeySet);
      const kids = new Set(keys.map((k) => k.kid).filter((k): k is string => typeof k === 'string'));
      const previous = this.#keys;
      this.#keys = { resolve, kids, fetchedAt: this.#options.now() };
      this.#lastError = undefined;
      const removed = new Set([...(previous?.kids ?? [])].filter((kid) => !kids.has(kid)));
      if (removed.size > 0) this.#options.onKeysRemoved?.(removed);
    } catch (cause) {
      this.#lastError = cause instanceof Error ? cause : new Error(String(cause));
      try {
        this.#options.onError?.(this.#lastError);
      } catch {
        // A failing log hook must not turn an outage into a crash.
      }
    }
  }

  #unavailable(): TollgateError {
    const waitMs = Math.max(1000, this.#options.cooldownMs - (this.#options.now() - this.#lastAttemptAt));
    return new TollgateError('TG_VERIFIER_UNAVAILABLE', { retryAfterSeconds: Math.ceil(waitMs / 1000), cause: this.#lastError });
  }
}
