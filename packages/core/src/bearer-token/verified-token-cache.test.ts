import { describe, expect, it } from 'vitest';
import type { Principal } from '../context/principal.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

const principal = (subject: string): Principal => ({ subject, kind: 'user', method: 'jwt', roles: [], scopes: [], claims: {} });

describe('VerifiedTokenCache', () => {
  it('keys entries by a salted hash of the token, never the token itself', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 10, now: () => 0 });
    const fp = cache.fingerprint('secret-token');
    expect(fp).not.toContain('secret-token');
    expect(fp).toBe(cache.fingerprint('secret-token'));
    expect(new VerifiedTokenCache({ maxEntries: 10, now: () => 0 }).fingerprint('secret-token')).not.toBe(fp);
  });

  it('answers fresh, then stale within the usable time, then nothing', () => {
    let now = 0;
    const cache = new VerifiedTokenCache({ maxEntries: 10, now: () => now });
    cache.set('a', principal('a'), { freshUntil: 100, usableUntil: 200 });
    expect(cache.get('a')).toEqual({ principal: principal('a'), fresh: true });
    now = 150;
    expect(cache.get('a')?.fresh).toBe(false);
    now = 200;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never caches an entry that is already past or unreadable, and evicts the oldest when full', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 2, now: () => 50 });
    cache.set('past', principal('p'), { freshUntil: 50 });
    cache.set('nan', principal('n'), { freshUntil: Number.NaN });
    expect(cache.size).toBe(0);
    cache.set('a', principal('a'), { freshUntil: 100 });
    cache.set('b', principal('b'), { freshUntil: 100 });
    cache.set('c', principal('c'), { freshUntil: 100 });
    expect([cache.get('a'), cache.get('b')?.principal.subject, cache.get('c')?.principal.subject]).toEqual([undefined, 'b', 'c']);
  });

  it('drops the entries of removed keys', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 10, now: () => 0 });
    cache.set('a', principal('a'), { freshUntil: 100, tag: 'k1' });
    cache.set('b', principal('b'), { freshUntil: 100, tag: 'k2' });
    cache.set('c', principal('c'), { freshUntil: 100 });
    cache.dropTags(new Set(['k1']));
    expect([cache.get('a'), cache.get('b')?.fresh, cache.get('c')?.fresh]).toEqual([undefined, true, true]);
  });
});
