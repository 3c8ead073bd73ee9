// The identity a client IP is throttled under: the address for IPv4, its /64 for IPv6 (one host's usual share).
import { formatIp, parseIp } from '../net/ip-address.js';

/**
 * Groups an address for failure throttling, so rotating through one IPv6 /64 does not reset the count.
 *
 * @example
 * throttleKeyForIp('2001:db8::1') === throttleKeyForIp('2001:db8::ffff') // true
 */
export function throttleKeyForIp(address: string): string {
  const ip = parseIp(address);
  if (ip === undefined) return address;
  if (ip.v4) return formatIp(ip);
  const bytes = new Uint8Array(16);
  bytes.set(ip.bytes.subarray(0, 8));
  return `${formatIp({ bytes, v4: false })}/64`;
}
