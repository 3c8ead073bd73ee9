// Unit tests of the verified-key cache: TTL and record expiry, bounded size, drops, generations, salted fingerprints.
import { describe, expect, it } from 'vitest';
import type { Principal } from '../context/principal.js';
import { formatApiKey, newKeyId, newSecret } from './key-format.js';
import { VerifiedKeyCache } from './verified-key-cache.js';

const principal = (keyId: string | undefined, subject = `user-${keyId ?? 'none'}`): Principal => ({
  subject, kind: 'user', method: 'api_key', ...(keyId === undefined ? {} : { keyId }), roles: [], scopes: [], claims: {},
});

function cache(ttlMs = 30_000, maxEntries = 100) {
  const clock = { now: 1_700_000_000_000 };
  const c = new VerifiedKeyCache({ ttlMs, maxEntries, now: () => clock.now });
  return { c, clock };
}

describe('VerifiedKeyCache: lifetime', () => {
  it('returns a cached principal until the TTL ends', () => {
    const { c, clock } = cache(30_000);
    const p = principal('k1');
    c.set('fp1', p, c.generation('k1'), Number.POSITIVE_INFINITY);
    expect(c.get('fp1')).toBe(p);
    clock.now += 29_999;
    expect(c.get('fp1')).toBe(p);
    clock.now += 1;
    expect(c.get('fp1')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('never keeps an entry past the record expiry', () => {
    const { c, clock } = cache(30_000);
    c.set('fp1', principal('k1'), 0, clock.now + 1_000);
    clock.now += 999;
    expect(c.get('fp1')).toBeDefined();
    clock.now += 1;
    expect(c.get('fp1')).toBeUndefined();
  });

  it('does not serve an entry whose record already expired', () => {
    const { c, clock } = cache();
    c.set('fp1', principal('k1'), 0, clock.now);
    expect(c.get('fp1')).toBeUndefined();
    c.set('fp2', principal('k2'), 0, clock.now - 60_000);
    expect(c.get('fp2')).toBeUndefined();
  });

  it('does not keep an entry forever when the record expiry is not a number', () => {
    const { c, clock } = cache(30_000);
    c.set('fp1', principal('k1'), 0, Number.NaN);
    clock.now += 365 * 86_400_000;
    expect(c.get('fp1')).toBeUndefined();
  });

  it('misses an unknown fingerprint', () => {
    expect(cache().c.get('nope')).toBeUndefined();
  });
});

describe('VerifiedKeyCache: size bound', () => {
  it('evicts the oldest entry past maxEntries', () => {
    const { c } = cache(30_000, 3);
    for (const n of [1, 2, 3, 4]) c.set(`fp${n}`, principal(`k${n}`), 0, Number.POSITIVE_INFINITY);
    expect(c.size).toBe(3);
    expect(c.get('fp1')).toBeUndefined();
    expect(c.get('fp2')?.keyId).toBe('k2');
    expect(c.get('fp4')?.keyId).toBe('k4');
    for (let n = 5; n < 1000; n++) c.set(`fp${n}`, principal(`k${n}`), 0, Number.POSITIVE_INFINITY);
    expect(c.size).toBe(3);
    expect(c.get('fp999')?.keyId).toBe('k999');
  });

  it('does not evict a live entry to make room for an already expired one', () => {
    const { c, clock } = cache(30_000, 1);
    c.set('live', principal('k1'), 0, Number.POSITIVE_INFINITY);
    c.set('dead', principal('k2'), 0, clock.now - 1);
    c.set('nan', principal('k3'), 0, Number.NaN);
    expect(c.size).toBe(1);
    expect(c.get('live')?.keyId).toBe('k1');
  });

  it('forgets an evicted entry for dropKey too', () => {
    const { c } = cache(30_000, 1);
    c.set('fp1', principal('k1'), 0, Number.POSITIVE_INFINITY);
    c.set('fp2', principal('k2'), 0, Number.POSITIVE_INFINITY);
    c.dropKey('k1');
    expect(c.get('fp2')?.keyId).toBe('k2');
  });
});

describe('VerifiedKeyCache: drops and generations', () => {
  it('dropKey removes every fingerprint of that key id and nothing else', () => {
    const { c } = cache();
    c.set('fpA', principal('k1'), 0, Number.POSITIVE_INFINITY);
    c.set('fpB', principal('k1'), 0, Number.POSITIVE_INFINITY);
    c.set('fpC', principal('k2'), 0, Number.POSITIVE_INFINITY);
    c.dropKey('k1');
    expect(c.get('fpA')).toBeUndefined();
    expect(c.get('fpB')).toBeUndefined();
    expect(c.get('fpC')?.keyId).toBe('k2');
    expect(c.size).toBe(1);
  });

  it('bumps the generation on every drop, also for ids never cached', () => {
    const { c } = cache();
    expect(c.generation('k1')).toBe(0);
    c.dropKey('k1');
    c.dropKey('k1');
    expect(c.generation('k1')).toBe(2);
    expect(c.generation('k2')).toBe(0);
  });

  it('does not cache a verification made from a record read before a drop', () => {
    const { c } = cache();
    const before = c.generation('k1');
    c.dropKey('k1'); // a revocation arrives while argon2 runs
    c.set('fp1', principal('k1'), before, Number.POSITIVE_INFINITY);
    expect(c.get('fp1')).toBeUndefined();
    expect(c.size).toBe(0);
    c.set('fp1', principal('k1'), c.generation('k1'), Number.POSITIVE_INFINITY);
    expect(c.get('fp1')?.keyId).toBe('k1');
  });

  it('refuses a generation from the future too', () => {
    const { c } = cache();
    c.set('fp1', principal('k1'), 1, Number.POSITIVE_INFINITY);
    expect(c.get('fp1')).toBeUndefined();
  });

  it('clear drops everything and makes in-flight verifications stale', () => {
    const { c } = cache();
    const g1 = c.generation('k1');
    c.set('fp1', principal('k1'), g1, Number.POSITIVE_INFINITY);
    c.set('fp2', principal(undefined), c.generation(''), Number.POSITIVE_INFINITY);
    c.clear();
    expect(c.size).toBe(0);
    c.set('fp1', principal('k1'), g1, Number.POSITIVE_INFINITY);
    expect(c.get('fp1')).toBeUndefined();
  });
});

describe('VerifiedKeyCache: fingerprints', () => {
  const key = formatApiKey({ env: 'live', keyId: newKeyId(), secret: newSecret() });

  it('is stable within one cache and differs between caches (per-process salt)', () => {
    const a = cache().c;
    const b = cache().c;
    expect(a.fingerprint(key)).toBe(a.fingerprint(key));
    expect(a.fingerprint(key)).not.toBe(b.fingerprint(key));
    expect(a.fingerprint(key)).not.toBe(a.fingerprint(`${key}x`));
  });

  it('is a 256-bit base64url digest that contains no part of the key', () => {
    const fp = cache().c.fingerprint(key);
    expect(fp).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const secret = key.split('_')[3]!;
    expect(fp).not.toContain(key);
    for (let i = 0; i + 8 <= secret.length; i++) expect(fp).not.toContain(secret.slice(i, i + 8));
    expect(fp).not.toContain(Buffer.from(key).toString('base64url').slice(0, 16));
  });

  it('is not a plain hash of the key', async () => {
    const { createHash } = await import('node:crypto');
    const fp = cache().c.fingerprint(key);
    expect(fp).not.toBe(createHash('sha256').update(key).digest('base64url'));
  });

  it('hashes hostile input without throwing', () => {
    const c = cache().c;
    for (const text of ['', '\0', 'x'.repeat(100_000), '😀', '\ud800']) expect(c.fingerprint(text)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
