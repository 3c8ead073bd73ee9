// Successful key verifications, cached under a salted hash of the whole key so argon2 runs once per key per TTL.
import { credentialFingerprint } from '../authenticate/credential-fingerprint.js';
import type { Principal } from '../context/principal.js';

interface Entry {
  readonly principal: Principal;
  readonly keyId: string;
  readonly notAfter: number;
}

/** Options of {@link VerifiedKeyCache}. */
export interface VerifiedKeyCacheOptions {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly now: () => number;
}

/**
 * Maps SHA-256(per-process random salt, key) to the principal it verified as. The key itself is
 * never stored, and the salt never leaves the process, so a heap dump does not yield usable lookups.
 *
 * @example
 * const cache = new VerifiedKeyCache({ ttlMs: 30_000, maxEntries: 10_000, now: Date.now });
 * const fp = cache.fingerprint(key);
 * cache.get(fp) ?? cache.set(fp, principal, cache.generation(principal.keyId!), Date.now() + 30_000);
 */
export class VerifiedKeyCache {
  readonly #fingerprint = credentialFingerprint();
  readonly #entries = new Map<string, Entry>();
  readonly #byKeyId = new Map<string, Set<string>>();
  readonly #generations = new Map<string, number>();
  readonly #options: VerifiedKeyCacheOptions;

  constructor(options: VerifiedKeyCacheOptions) {
    this.#options = options;
  }

  /** The cache key for a plaintext key. */
  fingerprint(key: string): string {
    return this.#fingerprint(key);
  }

  /** The principal for a fingerprint, if verified recently and still valid. */
  get(fingerprint: string): Principal | undefined {
    const entry = this.#entries.get(fingerprint);
    if (entry === undefined) return undefined;
    if (entry.notAfter <= this.#options.now()) {
      this.#remove(fingerprint, entry);
      return undefined;
    }
    return entry.principal;
  }

  /**
   * True when a live verification of `keyId` is cached under another fingerprint. A key id has exactly
   * one secret (rotation issues a new id; a record put again with a new hash drops the id here through
   * the store's change event), so another key naming that id is certainly wrong.
   */
  knowsOtherKey(keyId: string, fingerprint: string): boolean {
    const fingerprints = this.#byKeyId.get(keyId);
    if (fingerprints === undefined || fingerprints.has(fingerprint)) return false;
    for (const known of fingerprints) if (this.get(known) !== undefined) return true;
    return false;
  }

  /** A counter that changes whenever a key id is dropped; read it before a store lookup. */
  generation(keyId: string): number {
    return this.#generations.get(keyId) ?? 0;
  }

  /**
   * Caches a verification made from a record read at `generation`. If the key changed since
   * (a revocation arrived while argon2 ran), nothing is cached.
   */
  set(fingerprint: string, principal: Principal, generation: number, recordNotAfter: number): void {
    const keyId = principal.keyId ?? '';
    if (this.generation(keyId) !== generation) return;
    const now = this.#options.now();
    const notAfter = Math.min(now + this.#options.ttlMs, recordNotAfter);
    // An unreadable (NaN) or past expiry: never cache it, so it neither lives forever nor evicts a live entry.
    if (!(notAfter > now)) return;
    if (this.#entries.size >= this.#options.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#remove(oldest.value, this.#entries.get(oldest.value)!);
    }
    this.#entries.set(fingerprint, { principal, keyId, notAfter });
    let set = this.#byKeyId.get(keyId);
    if (set === undefined) this.#byKeyId.set(keyId, (set = new Set()));
    set.add(fingerprint);
  }

  /** Drops every cached verification of a key id (the store changed or deleted it). */
  dropKey(keyId: string): void {
    this.#generations.set(keyId, this.generation(keyId) + 1);
    for (const fingerprint of this.#byKeyId.get(keyId) ?? []) this.#entries.delete(fingerprint);
    this.#byKeyId.delete(keyId);
  }

  /** Drops everything. */
  clear(): void {
    for (const keyId of [...this.#byKeyId.keys()]) this.dropKey(keyId);
  }

  get size(): number {
    return this.#entries.size;
  }

  #remove(fingerprint: string, entry: Entry): void {
    this.#entries.delete(fingerprint);
    const set = this.#byKeyId.get(entry.keyId);
    set?.delete(fingerprint);
    if (set?.size === 0) this.#byKeyId.delete(entry.keyId);
  }
}
