// Unit tests of client IP resolution: forwarded headers are believed only through trusted proxies.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/tollgate-error.js';
import { clientIpResolver, type TrustProxy } from './client-ip.js';

/** Header lookup over lower-case names; each name maps to its header lines. */
const headers =
  (lines: Readonly<Record<string, string | readonly string[]>>) =>
  (name: string): readonly string[] => {
    const value = lines[name];
    return value === undefined ? [] : typeof value === 'string' ? [value] : value;
  };

const resolve = (trust: TrustProxy, peer: string | undefined, lines: Readonly<Record<string, string | readonly string[]>> = {}) =>
  clientIpResolver(trust).resolve(peer, headers(lines));

describe('clientIpResolver: default (false)', () => {
  it('ignores X-Forwarded-For and Forwarded and returns the socket peer', () => {
    const lines = { 'x-forwarded-for': '203.0.113.9', forwarded: 'for=198.51.100.1' };
    expect(resolve(false, '10.0.0.5', lines)).toBe('10.0.0.5');
    const ips = clientIpResolver();
    expect(ips.disabled).toBe(true);
    expect(ips.resolve('10.0.0.5', headers(lines))).toBe('10.0.0.5');
    expect(ips.peerIsTrusted('10.0.0.5')).toBe(false);
  });

  it('never asks for headers when disabled', () => {
    const asked: string[] = [];
    clientIpResolver(false).resolve('10.0.0.5', (name) => {
      asked.push(name);
      return ['203.0.113.9'];
    });
    expect(asked).toEqual([]);
  });

  it('canonicalises the peer and strips IPv4 mapping', () => {
    expect(resolve(false, '::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(resolve(false, '2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(resolve(false, '10.0.0.5:4431')).toBe('10.0.0.5');
    expect(resolve(false, '[::1]:8080')).toBe('::1');
  });

  it('returns undefined for an unknown or unreadable peer', () => {
    expect(resolve(false, undefined)).toBeUndefined();
    expect(resolve(false, 'garbage')).toBeUndefined();
    expect(resolve(['10.0.0.0/8'], undefined, { 'x-forwarded-for': '203.0.113.9' })).toBeUndefined();
  });

  it('treats hops 0 and an empty CIDR list as disabled', () => {
    const lines = { 'x-forwarded-for': '203.0.113.9' };
    expect(clientIpResolver(0).disabled).toBe(true);
    expect(resolve(0, '10.0.0.5', lines)).toBe('10.0.0.5');
    expect(clientIpResolver([]).disabled).toBe(true);
    expect(resolve([], '10.0.0.5', lines)).toBe('10.0.0.5');
  });
});

describe('clientIpResolver: hop counts', () => {
  const lines = { 'x-forwarded-for': '198.51.100.1, 203.0.113.9, 192.0.2.7' };

  it('with 1 hop takes the right-most entry', () => {
    expect(resolve(1, '10.0.0.5', lines)).toBe('192.0.2.7');
  });

  it('with 2 hops takes the second entry from the right', () => {
    expect(resolve(2, '10.0.0.5', lines)).toBe('203.0.113.9');
    expect(resolve({ hops: 2 }, '10.0.0.5', lines)).toBe('203.0.113.9');
  });

  it('with more hops than entries stops at the left-most entry', () => {
    expect(resolve(3, '10.0.0.5', lines)).toBe('198.51.100.1');
    expect(resolve(10, '10.0.0.5', lines)).toBe('198.51.100.1');
  });

  it('without the header returns the peer', () => {
    expect(resolve(1, '10.0.0.5')).toBe('10.0.0.5');
    expect(resolve(1, '10.0.0.5', { 'x-forwarded-for': '' })).toBe('10.0.0.5');
  });

  it('trusts the peer whatever its address', () => {
    const ips = clientIpResolver(1);
    expect(ips.peerIsTrusted('203.0.113.200')).toBe(true);
    expect(ips.peerIsTrusted(undefined)).toBe(false);
    expect(ips.peerIsTrusted('not-an-ip')).toBe(false);
  });
});

describe('clientIpResolver: CIDR lists', () => {
  const proxies = ['10.0.0.0/8', '2001:db8:ffff::/48'];

  it('walks the chain while hops are trusted', () => {
    expect(resolve(proxies, '10.0.0.5', { 'x-forwarded-for': '203.0.113.9, 10.1.1.1' })).toBe('203.0.113.9');
    expect(resolve(proxies, '2001:db8:ffff::1', { 'x-forwarded-for': '203.0.113.9' })).toBe('203.0.113.9');
  });

  it('stops at the first untrusted hop, so spoofed left-most entries are ignored', () => {
    const lines = { 'x-forwarded-for': '1.1.1.1, 10.9.9.9, 203.0.113.9, 10.1.1.1' };
    expect(resolve(proxies, '10.0.0.5', lines)).toBe('203.0.113.9');
  });

  it('believes nothing from an untrusted peer', () => {
    expect(resolve(proxies, '198.51.100.77', { 'x-forwarded-for': '203.0.113.9' })).toBe('198.51.100.77');
    expect(clientIpResolver(proxies).peerIsTrusted('198.51.100.77')).toBe(false);
    expect(clientIpResolver(proxies).peerIsTrusted('10.255.0.1')).toBe(true);
  });

  it('matches an IPv4-mapped peer against IPv4 blocks', () => {
    expect(resolve(['127.0.0.1'], '::ffff:127.0.0.1', { 'x-forwarded-for': '203.0.113.9' })).toBe('203.0.113.9');
    expect(clientIpResolver(['127.0.0.1']).peerIsTrusted('::ffff:127.0.0.1')).toBe(true);
  });

  it('returns the left-most entry when every hop is trusted', () => {
    expect(resolve(proxies, '10.0.0.5', { 'x-forwarded-for': '10.3.3.3, 10.2.2.2' })).toBe('10.3.3.3');
  });

  it('joins multiple header lines in order', () => {
    const lines = { 'x-forwarded-for': ['1.1.1.1, 203.0.113.9', '10.2.2.2', '10.1.1.1'] };
    expect(resolve(proxies, '10.0.0.5', lines)).toBe('203.0.113.9');
    expect(resolve(2, '10.0.0.5', lines)).toBe('10.2.2.2');
  });

  it('canonicalises entries: ports, brackets, case, mapping', () => {
    expect(resolve(proxies, '10.0.0.5', { 'x-forwarded-for': '203.0.113.9:5555' })).toBe('203.0.113.9');
    expect(resolve(proxies, '10.0.0.5', { 'x-forwarded-for': '[2001:DB8::0001]:443' })).toBe('2001:db8::1');
    expect(resolve(proxies, '10.0.0.5', { 'x-forwarded-for': ' 2001:db8::7 ' })).toBe('2001:db8::7');
    expect(resolve(proxies, '10.0.0.5', { 'x-forwarded-for': '::ffff:203.0.113.9' })).toBe('203.0.113.9');
  });

  it('stops at the last trusted hop when the next entry is garbage', () => {
    for (const junk of ['unknown', '', 'fe80::1%eth0', '999.1.1.1', '<script>', '1.2.3.4.5', '[::1', ' , ']) {
      expect(resolve(proxies, '10.0.0.5', { 'x-forwarded-for': `203.0.113.9, ${junk}` }), junk).toBe('10.0.0.5');
    }
    expect(resolve(proxies, '10.0.0.5', { 'x-forwarded-for': '203.0.113.9, garbage, 10.1.1.1' })).toBe('10.1.1.1');
    expect(resolve(3, '10.0.0.5', { 'x-forwarded-for': '203.0.113.9, nope, 192.0.2.1' })).toBe('192.0.2.1');
  });

  it('survives a very long header', () => {
    const long = Array.from({ length: 5000 }, (_, i) => `10.0.${i % 256}.1`).join(', ');
    expect(resolve(proxies, '10.0.0.5', { 'x-forwarded-for': `203.0.113.9, ${long}` })).toBe('203.0.113.9');
  });
});

describe('clientIpResolver: RFC 7239 Forwarded', () => {
  const trust = (header: 'forwarded' | 'x-forwarded-for'): TrustProxy => ({ cidrs: ['10.0.0.0/8'], header });

  it('reads for= with quoted IPv6, ports and other parameters', () => {
    expect(resolve(trust('forwarded'), '10.0.0.5', { forwarded: 'for=192.0.2.60;proto=http;by=203.0.113.43' })).toBe('192.0.2.60');
    expect(resolve(trust('forwarded'), '10.0.0.5', { forwarded: 'For="[2001:db8:cafe::17]:4711"' })).toBe('2001:db8:cafe::17');
    expect(resolve(trust('forwarded'), '10.0.0.5', { forwarded: 'proto=https; for="192.0.2.43:47011"' })).toBe('192.0.2.43');
    expect(resolve(trust('forwarded'), '10.0.0.5', { forwarded: 'for="[::ffff:192.0.2.1]"' })).toBe('192.0.2.1');
  });

  it('walks several elements and lines, right to left', () => {
    const lines = { forwarded: ['for=198.51.100.1, for=203.0.113.9', 'for=10.7.7.7;proto=https'] };
    expect(resolve(trust('forwarded'), '10.0.0.5', lines)).toBe('203.0.113.9');
  });

  it('stops at obfuscated or missing for= values', () => {
    expect(resolve(trust('forwarded'), '10.0.0.5', { forwarded: 'for=203.0.113.9, for=_hidden' })).toBe('10.0.0.5');
    expect(resolve(trust('forwarded'), '10.0.0.5', { forwarded: 'for=203.0.113.9, for=unknown' })).toBe('10.0.0.5');
    expect(resolve(trust('forwarded'), '10.0.0.5', { forwarded: 'for=203.0.113.9, proto=https' })).toBe('10.0.0.5');
  });

  it('reads only the chosen header', () => {
    const lines = { forwarded: 'for=198.51.100.1', 'x-forwarded-for': '203.0.113.9' };
    expect(resolve(trust('forwarded'), '10.0.0.5', lines)).toBe('198.51.100.1');
    expect(resolve(trust('x-forwarded-for'), '10.0.0.5', lines)).toBe('203.0.113.9');
    expect(resolve({ hops: 1, header: 'forwarded' }, '10.0.0.5', lines)).toBe('198.51.100.1');
  });
});

describe('clientIpResolver: bad configuration', () => {
  it.each<[string, unknown]>([
    ['negative hops', -1],
    ['fractional hops', 1.5],
    ['NaN hops', Number.NaN],
    ['too many hops', 33],
    ['negative hops in the object form', { hops: -2 }],
    ['a bad CIDR', ['10.0.0.0/33']],
    ['a hostname', ['localhost']],
    ['both hops and cidrs', { hops: 1, cidrs: ['10.0.0.0/8'] }],
    ['an unknown header', { hops: 1, header: 'x-real-ip' }],
    ['an object with neither hops nor cidrs', { header: 'forwarded' }],
    ['an empty object', {}],
    ['true (Express style)', true],
    ['a string', 'loopback'],
    ['null', null],
    ['cidrs that are not a list', { cidrs: '10.0.0.0/8' }],
  ])('throws a ConfigError for %s', (_, trust) => {
    expect(() => clientIpResolver(trust as TrustProxy)).toThrow(ConfigError);
  });

  it('names the setting and the bad value', () => {
    expect(() => clientIpResolver(['10.0.0.0/33'])).toThrow(/trustProxy.*10\.0\.0\.0\/33/);
    expect(() => clientIpResolver(-1)).toThrow(/trustProxy hops.*-1/);
  });

  it('accepts the boundaries', () => {
    expect(clientIpResolver(32).disabled).toBe(false);
    expect(clientIpResolver({ cidrs: ['::/0'] }).peerIsTrusted('2001:db8::1')).toBe(true);
  });
});
