// Which counter a request shares for a rule: the value of each of the rule's scopes (IPv6 grouped by network).
import type { TgContext } from '../context/tg-context.js';
import { formatIp, parseIp } from '../net/ip-address.js';
import type { LimitScope } from './limit-rule.js';

/** Prefix lengths that group client addresses into one counter. */
export interface IpGrouping {
  /** @default 32 (one counter per IPv4 address) */
  readonly ipv4Prefix: number;
  /** @default 56 (one counter per customer site: ISPs hand out /56 or /48, hosts pick any address in it) */
  readonly ipv6Prefix: number;
}

/**
 * The network an address belongs to, as `addr/prefix` text: `2001:db8:ab:cd00::/56`. Undefined for
 * text that is not an address.
 *
 * @example
 * ipGroup('2001:db8:ab:cd12:1::5', { ipv4Prefix: 32, ipv6Prefix: 56 }) // '2001:db8:ab:cd00::/56'
 */
export function ipGroup(address: string, grouping: IpGrouping): string | undefined {
  const ip = parseIp(address);
  if (ip === undefined) return undefined;
  const bits = ip.v4 ? 96 + grouping.ipv4Prefix : grouping.ipv6Prefix;
  const masked = new Uint8Array(ip.bytes);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    masked[i] = masked[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return `${formatIp({ bytes: masked, v4: ip.v4 })}/${ip.v4 ? grouping.ipv4Prefix : grouping.ipv6Prefix}`;
}

/** The value of one scope for a request, or undefined when the request has none (no key id, no tenant…). */
export function scopeValue(scope: LimitScope, context: TgContext, grouping: IpGrouping): string | undefined {
  switch (scope) {
    case 'key':
      return context.principal?.keyId;
    case 'user':
      return context.principal?.subject;
    case 'tenant':
      return context.tenant?.id ?? context.principal?.tenantId;
    case 'model':
      return context.model?.name;
    case 'ip':
      return context.clientIp === undefined ? undefined : ipGroup(context.clientIp, grouping);
    case 'global':
      return '*';
  }
}

/**
 * The counter identity of a rule for a request, `rule|scope=value|…` with values percent-encoded (so
 * no value can forge another's identity or a Redis hash tag), or the first scope that has no value.
 *
 * @example
 * counterIdentity('rpm', ['tenant', 'model'], context, grouping) // { key: 'rpm|tenant=acme|model=gpt-4o' }
 */
export function counterIdentity(rule: string, scopes: readonly LimitScope[], context: TgContext, grouping: IpGrouping): { key: string } | { missing: LimitScope } {
  let key = rule;
  for (const scope of scopes) {
    const value = scopeValue(scope, context, grouping);
    if (value === undefined || value === '') return { missing: scope };
    key += `|${scope}=${encodeURIComponent(value)}`;
  }
  return { key };
}
