// Client IP resolution: the socket peer by default; forwarded headers only through an explicit trusted-proxy setting.
import { ConfigError } from '../errors/tollgate-error.js';
import { formatIp, ipInCidr, parseCidr, parseIp, type CidrBlock } from './ip-address.js';

/**
 * Which proxies in front of the app may speak for the client.
 * - `false` (default): forwarded headers are ignored; the client is the socket peer.
 * - a number N: the N proxies nearest to the app are trusted, whatever their addresses.
 * - a list of CIDR blocks or addresses: a hop is trusted when its address is inside one of them.
 * - the object form also picks the header: `x-forwarded-for` (default) or RFC 7239 `forwarded`.
 */
export type TrustProxy =
  | false
  | number
  | readonly string[]
  | { readonly hops?: number; readonly cidrs?: readonly string[]; readonly header?: 'x-forwarded-for' | 'forwarded' };

/** The resolved trusted-proxy rules. */
export interface ClientIpResolver {
  /** The client address, canonical text; undefined when the socket address is unknown. */
  resolve(remoteAddress: string | undefined, headerValues: (name: string) => readonly string[]): string | undefined;
  /** True when the direct peer is a trusted proxy (so headers it adds may be believed). */
  peerIsTrusted(remoteAddress: string | undefined): boolean;
  /** True when forwarded headers are never believed. */
  readonly disabled: boolean;
}

function normalizeTrust(trust: TrustProxy): { hops?: number; cidrs?: CidrBlock[]; header: 'x-forwarded-for' | 'forwarded' } {
  if (trust === false) return { header: 'x-forwarded-for' };
  // `true`, a string or `{ header }` alone would otherwise pass here and crash on the first request.
  if (typeof trust !== 'number' && (typeof trust !== 'object' || trust === null)) {
    throw new ConfigError(`trustProxy must be false, a hop count, a list of CIDR blocks or { hops | cidrs, header }; got ${JSON.stringify(trust)}`);
  }
  const form = typeof trust === 'number' ? { hops: trust } : Array.isArray(trust) ? { cidrs: trust as readonly string[] } : (trust as Exclude<TrustProxy, false | number | readonly string[]>);
  if (form.hops !== undefined && (!Number.isInteger(form.hops) || form.hops < 0 || form.hops > 32)) {
    throw new ConfigError(`trustProxy hops must be a whole number from 0 to 32; got ${String(form.hops)}`);
  }
  if (form.hops !== undefined && form.cidrs !== undefined) {
    throw new ConfigError('trustProxy takes either hops or cidrs, not both');
  }
  if (form.hops === undefined && !Array.isArray(form.cidrs)) {
    throw new ConfigError('trustProxy needs hops (a number) or cidrs (a list of CIDR blocks)');
  }
  const header = form.header ?? 'x-forwarded-for';
  if (header !== 'x-forwarded-for' && header !== 'forwarded') {
    throw new ConfigError(`trustProxy header must be "x-forwarded-for" or "forwarded"; got ${JSON.stringify(header)}`);
  }
  let cidrs: CidrBlock[] | undefined;
  if (form.cidrs !== undefined) {
    cidrs = form.cidrs.map((c) => {
      try {
        return parseCidr(c);
      } catch (error) {
        throw new ConfigError(`trustProxy: ${(error as Error).message}`);
      }
    });
  }
  return { ...(form.hops === undefined ? {} : { hops: form.hops }), ...(cidrs === undefined ? {} : { cidrs }), header };
}

/** Strips a port and brackets: `1.2.3.4:80` → `1.2.3.4`, `[::1]:80` → `::1`, `"[::1]"` → `::1`. */
function stripPort(raw: string): string {
  let value = raw.trim();
  if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end > 0 ? value.slice(1, end) : value;
  }
  const colon = value.indexOf(':');
  if (colon > 0 && colon === value.lastIndexOf(':') && value.includes('.')) return value.slice(0, colon);
  return value;
}

function forwardedFor(values: readonly string[], header: 'x-forwarded-for' | 'forwarded'): string[] {
  const out: string[] = [];
  for (const value of values) {
    for (const element of value.split(',')) {
      if (header === 'x-forwarded-for') {
        out.push(stripPort(element));
        continue;
      }
      const pair = element.split(';').map((p) => p.trim()).find((p) => p.toLowerCase().startsWith('for='));
      out.push(pair === undefined ? '' : stripPort(pair.slice(4)));
    }
  }
  return out;
}

/**
 * Builds the resolver once at startup; throws a ConfigError for a bad setting.
 *
 * @example
 * const ips = clientIpResolver(['10.0.0.0/8']);
 * ips.resolve('10.0.0.5', (h) => (h === 'x-forwarded-for' ? ['203.0.113.9'] : [])); // '203.0.113.9'
 */
export function clientIpResolver(trust: TrustProxy = false): ClientIpResolver {
  const rules = normalizeTrust(trust);
  const disabled = trust === false || rules.hops === 0 || (rules.cidrs !== undefined && rules.cidrs.length === 0);
  // Socket addresses repeat (keep-alive connections, a few proxies): each is parsed and formatted once.
  const known = new Map<string, string | undefined>();
  const canonical = (text: string | undefined): string | undefined => {
    if (text === undefined) return undefined;
    if (known.has(text)) return known.get(text);
    const ip = parseIp(stripPort(text));
    const result = ip === undefined ? undefined : formatIp(ip);
    if (known.size >= 1024) known.clear();
    known.set(text, result);
    return result;
  };
  const trusted = (address: string, index: number): boolean => {
    if (rules.hops !== undefined) return index < rules.hops;
    const ip = parseIp(address);
    return ip !== undefined && rules.cidrs!.some((block) => ipInCidr(ip, block));
  };
  return {
    disabled,
    peerIsTrusted(remoteAddress) {
      const peer = canonical(remoteAddress);
      return !disabled && peer !== undefined && trusted(peer, 0);
    },
    resolve(remoteAddress, headerValues) {
      const peer = canonical(remoteAddress);
      if (disabled || peer === undefined) return peer;
      // The chain from the app outwards: the socket peer, then forwarded entries right to left.
      const chain = [peer, ...forwardedFor(headerValues(rules.header), rules.header).reverse()];
      let client = peer;
      for (let i = 0; i < chain.length - 1; i++) {
        if (!trusted(client, i)) return client;
        const next = canonical(chain[i + 1]);
        // A trusted hop that forwarded garbage is the furthest we can believe.
        if (next === undefined) return client;
        client = next;
      }
      return client;
    },
  };
}
