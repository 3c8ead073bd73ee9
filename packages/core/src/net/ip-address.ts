// Pure IPv4/IPv6 parsing and CIDR matching, so core needs no node:net (edge runtimes included).

/** An address as 16 bytes (IPv4 mapped into ::ffff:0:0/96) plus its family. */
export interface ParsedIp {
  readonly bytes: Uint8Array;
  readonly v4: boolean;
}

function parseV4(text: string, out: Uint8Array, offset: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return false;
    const n = Number(part);
    if (n > 255) return false;
    out[offset + i] = n;
  }
  return true;
}

/**
 * Parses an IPv4 or IPv6 address (zone ids and brackets are refused), or returns undefined.
 *
 * @example
 * parseIp('::ffff:10.0.0.1')?.v4 // true
 */
export function parseIp(text: string): ParsedIp | undefined {
  if (text.length === 0 || text.length > 45) return undefined;
  const bytes = new Uint8Array(16);
  if (!text.includes(':')) {
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    return parseV4(text, bytes, 12) ? { bytes, v4: true } : undefined;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : halves[1]!.split(':')) : [];
  const groups: number[] = [];
  let embeddedV4: Uint8Array | undefined;
  // An embedded IPv4 must end the text: after `::` it is the last of the tail, never before a trailing `::`.
  const lastPart = halves.length === 2 ? tail : head;
  const last = lastPart[lastPart.length - 1];
  if (last !== undefined && last.includes('.')) {
    embeddedV4 = new Uint8Array(4);
    if (!parseV4(last, embeddedV4, 0)) return undefined;
    lastPart.pop();
  }
  for (const group of [...head, ...tail]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
  }
  const width = 8 - (embeddedV4 ? 2 : 0);
  const used = head.length + tail.length;
  if (halves.length === 1 ? used !== width : used >= width) return undefined;
  for (const g of head) groups.push(parseInt(g, 16));
  for (let i = used; i < width; i++) groups.push(0);
  for (const g of tail) groups.push(parseInt(g, 16));
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  if (embeddedV4) bytes.set(embeddedV4, 12);
  const mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return { bytes, v4: mapped };
}

/** A parsed CIDR block. */
export interface CidrBlock {
  readonly base: Uint8Array;
  /** Prefix length over the 128-bit form (an IPv4 /24 is stored as /120). */
  readonly bits: number;
  readonly source: string;
}

/**
 * Parses `10.0.0.0/8`, `fd00::/8` or a bare address (a /32 or /128); throws a TypeError otherwise.
 *
 * @example
 * ipInCidr(parseIp('10.1.2.3')!, parseCidr('10.0.0.0/8')) // true
 */
export function parseCidr(text: string): CidrBlock {
  const [addr, prefix, extra] = text.trim().split('/');
  const ip = addr === undefined ? undefined : parseIp(addr);
  if (ip === undefined || extra !== undefined) throw new TypeError(`not an IP address or CIDR block: ${JSON.stringify(text)}`);
  // The notation decides the prefix width: `::ffff:0:0/96` is an IPv6 prefix even though it covers IPv4.
  const dotted = !addr!.includes(':');
  const max = dotted ? 32 : 128;
  let bits = max;
  if (prefix !== undefined) {
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) throw new TypeError(`bad prefix length in ${JSON.stringify(text)}`);
    bits = Number(prefix);
  }
  return { base: ip.bytes, bits: dotted ? bits + 96 : bits, source: text.trim() };
}

/** True when `ip` lies inside `block`. */
export function ipInCidr(ip: ParsedIp, block: CidrBlock): boolean {
  let remaining = block.bits;
  for (let i = 0; i < 16 && remaining > 0; i++) {
    const take = Math.min(8, remaining);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((ip.bytes[i]! & mask) !== (block.base[i]! & mask)) return false;
    remaining -= take;
  }
  return true;
}

/** Canonical text of an address: dotted IPv4 for v4 and v4-mapped, RFC 5952 for IPv6. */
export function formatIp(ip: ParsedIp): string {
  const b = ip.bytes;
  if (ip.v4) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((b[i * 2]! << 8) | b[i * 2 + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
