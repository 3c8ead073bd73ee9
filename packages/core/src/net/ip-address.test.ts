// Unit tests of the pure IP parser, CIDR matcher and RFC 5952 formatter, including hostile input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIp, ipInCidr, parseCidr, parseIp, type ParsedIp } from './ip-address.js';

const bytesOf = (text: string): number[] => [...parseIp(text)!.bytes];
const mapped = (a: number, b: number, c: number, d: number): number[] => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d];
const inBlock = (ip: string, cidr: string): boolean => ipInCidr(parseIp(ip)!, parseCidr(cidr));

describe('parseIp: IPv4', () => {
  it('maps a dotted quad into ::ffff:0:0/96 and marks it v4', () => {
    const ip = parseIp('192.0.2.33');
    expect(ip?.v4).toBe(true);
    expect([...ip!.bytes]).toEqual(mapped(192, 0, 2, 33));
    expect(bytesOf('0.0.0.0')).toEqual(mapped(0, 0, 0, 0));
    expect(bytesOf('255.255.255.255')).toEqual(mapped(255, 255, 255, 255));
  });

  it.each(['01.2.3.4', '1.2.3.04', '00.0.0.0', '256.1.1.1', '1.2.3.256', '1.2.3.4.5', '1.2.3', '1..2.3', '1.2.3.4.', '.1.2.3',
    '1.2.3.-4', '1.2.3.+4', '0x1.2.3.4', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.1e1', '1.2.3.٣', '１.2.3.4', '1000.2.3.4', '1.2.3.4/32'])(
    'refuses %j', (text) => {
      expect(parseIp(text)).toBeUndefined();
    },
  );
});

describe('parseIp: IPv6', () => {
  it('parses the full form, case-insensitively', () => {
    const ip = parseIp('2001:0DB8:0000:0000:0000:ff00:0042:8329');
    expect(ip?.v4).toBe(false);
    expect([...ip!.bytes]).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0x00, 0x00, 0x42, 0x83, 0x29]);
  });

  it('expands :: wherever it stands', () => {
    expect(bytesOf('2001:db8::ff00:42:8329')).toEqual(bytesOf('2001:db8:0:0:0:ff00:42:8329'));
    expect(bytesOf('::')).toEqual(new Array(16).fill(0));
    expect(bytesOf('::1')).toEqual([...new Array(15).fill(0), 1]);
    expect(bytesOf('fe80::')).toEqual([0xfe, 0x80, ...new Array(14).fill(0)]);
    // RFC 4291 lets :: stand for a single zero group.
    expect(bytesOf('1:2:3:4:5:6:7::')).toEqual(bytesOf('1:2:3:4:5:6:7:0'));
    expect(bytesOf('::2:3:4:5:6:7:8')).toEqual(bytesOf('0:2:3:4:5:6:7:8'));
  });

  it('reads an embedded IPv4 tail and detects v4-mapped addresses', () => {
    const ip = parseIp('::ffff:1.2.3.4');
    expect(ip?.v4).toBe(true);
    expect([...ip!.bytes]).toEqual(mapped(1, 2, 3, 4));
    expect(parseIp('::FFFF:102:304')?.v4).toBe(true);
    expect(parseIp('0:0:0:0:0:ffff:1.2.3.4')?.v4).toBe(true);
    expect(bytesOf('64:ff9b::192.0.2.33')).toEqual([0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 33]);
    // Not mapped: the deprecated v4-compatible form, a different /96, ::1.
    expect(parseIp('::1.2.3.4')?.v4).toBe(false);
    expect(parseIp('1::ffff:1.2.3.4')?.v4).toBe(false);
    expect(parseIp('::fffe:1.2.3.4')?.v4).toBe(false);
    expect(parseIp('::1')?.v4).toBe(false);
  });

  it('accepts the longest legal text (45 characters)', () => {
    const longest = 'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255';
    expect(longest).toHaveLength(45);
    expect(parseIp(longest)).toBeDefined();
  });

  it.each([
    ['two ::', '1::2::3'],
    ['three colons', '1:::2'],
    ['9 groups', '1:2:3:4:5:6:7:8:9'],
    ['7 groups, no ::', '1:2:3:4:5:6:7'],
    [':: with 8 groups', '1:2:3:4:5:6:7:8::'],
    [':: with 8 groups in front', '::1:2:3:4:5:6:7:8'],
    ['leading single colon', ':1:2:3:4:5:6:7'],
    ['trailing single colon', '1:2:3:4:5:6:7:'],
    ['group of 5 digits', '12345::'],
    ['non-hex group', 'g::1'],
    ['zone id', 'fe80::1%eth0'],
    ['numeric zone id', 'fe80::1%1'],
    ['brackets', '[::1]'],
    ['brackets and port', '[::1]:80'],
    ['empty', ''],
    ['46 characters', '0ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255'],
    ['a lone colon', ':'],
    ['v4 tail with leading zero', '::ffff:1.2.3.04'],
    ['v4 tail out of range', '::ffff:1.2.3.256'],
    ['v4 tail and 7 groups', '1:2:3:4:5:6:7:1.2.3.4'],
    ['v4 not at the end', '::1.2.3.4:5'],
    ['v4 before a trailing ::', '1.2.3.4::'],
    ['v4 before a trailing :: with groups', '1:2:1.2.3.4::'],
    ['v4 in the middle', '1:1.2.3.4::5'],
    ['whitespace', ' ::1'],
    ['sign', '+1::'],
    ['garbage', 'not an address'],
  ])('refuses %s (%j)', (_, text) => {
    expect(parseIp(text)).toBeUndefined();
  });

  it('refuses every string longer than 45 characters, even a plausible one', () => {
    expect(parseIp(`0000:0000:0000:0000:0000:0000:0000:0000${':'.repeat(7)}`)).toBeUndefined();
    expect(parseIp(`${'0'.repeat(43)}::`)).toBeUndefined();
    expect(parseIp('1'.repeat(100_000))).toBeUndefined();
  });
});

describe('parseCidr and ipInCidr', () => {
  it('matches IPv4 blocks, including /0, /32 and odd prefixes', () => {
    expect(inBlock('10.255.1.2', '10.0.0.0/8')).toBe(true);
    expect(inBlock('11.0.0.0', '10.0.0.0/8')).toBe(false);
    expect(inBlock('203.0.113.9', '0.0.0.0/0')).toBe(true);
    expect(inBlock('203.0.113.9', '203.0.113.9/32')).toBe(true);
    expect(inBlock('203.0.113.10', '203.0.113.9/32')).toBe(false);
    expect(inBlock('192.168.3.255', '192.168.2.0/23')).toBe(true);
    expect(inBlock('192.168.2.0', '192.168.2.0/23')).toBe(true);
    expect(inBlock('192.168.4.0', '192.168.2.0/23')).toBe(false);
    expect(inBlock('192.168.1.255', '192.168.2.0/23')).toBe(false);
    expect(inBlock('172.31.255.255', '172.16.0.0/12')).toBe(true);
    expect(inBlock('172.32.0.0', '172.16.0.0/12')).toBe(false);
  });

  it('treats a bare address as a single-address block', () => {
    expect(parseCidr('10.0.0.1').bits).toBe(128);
    expect(parseCidr('::1').bits).toBe(128);
    expect(inBlock('10.0.0.1', '10.0.0.1')).toBe(true);
    expect(inBlock('10.0.0.2', '10.0.0.1')).toBe(false);
  });

  it('ignores host bits in the block base', () => {
    expect(inBlock('10.1.200.7', '10.1.2.3/16')).toBe(true);
    expect(inBlock('10.2.0.0', '10.1.2.3/16')).toBe(false);
  });

  it('matches IPv6 blocks, including /0, /128 and odd prefixes', () => {
    expect(inBlock('2001:db8::1', '::/0')).toBe(true);
    expect(inBlock('::1', '::1/128')).toBe(true);
    expect(inBlock('::2', '::1/128')).toBe(false);
    expect(inBlock('fd12:3456::1', 'fd00::/8')).toBe(true);
    expect(inBlock('fe00::1', 'fd00::/8')).toBe(false);
    // /57: the top bit of the 8th byte belongs to the prefix.
    expect(inBlock('2001:db8:0:7f::1', '2001:db8:0:0::/57')).toBe(true);
    expect(inBlock('2001:db8:0:80::1', '2001:db8:0:0::/57')).toBe(false);
    expect(inBlock('2001:db8:0:100::1', '2001:db8:0:0::/57')).toBe(false);
  });

  it('keeps the families apart', () => {
    expect(inBlock('::1', '0.0.0.0/0')).toBe(false);
    expect(inBlock('10.0.0.1', 'fd00::/8')).toBe(false);
    // An IPv4 address is its v4-mapped IPv6 form, so IPv6 /0 covers it.
    expect(inBlock('10.0.0.1', '::/0')).toBe(true);
    expect(inBlock('::ffff:10.0.0.1', '10.0.0.0/8')).toBe(true);
  });

  it('reads a prefix written in IPv6 notation over 128 bits, v4-mapped included', () => {
    expect(parseCidr('::ffff:0:0/96').bits).toBe(96);
    expect(inBlock('198.51.100.7', '::ffff:0:0/96')).toBe(true);
    expect(inBlock('2001:db8::1', '::ffff:0:0/96')).toBe(false);
    expect(inBlock('10.9.8.7', '::ffff:10.0.0.0/104')).toBe(true);
    expect(inBlock('11.0.0.0', '::ffff:10.0.0.0/104')).toBe(false);
  });

  it('trims surrounding whitespace and keeps the source text', () => {
    expect(parseCidr(' 10.0.0.0/8 ').source).toBe('10.0.0.0/8');
  });

  it.each(['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8/8', '10.0.0.0/0x8', '10.0.0.0/ 8', '10.0.0.0/1000',
    '/8', '', 'localhost', '10.0.0/8', 'fe80::1%eth0/64', '[::1]/128'])('throws a TypeError for %j', (text) => {
    expect(() => parseCidr(text)).toThrow(TypeError);
  });
});

describe('formatIp', () => {
  const canonical = (text: string): string => formatIp(parseIp(text)!);

  it.each([
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:db8:0:0:1:1:1:1', '2001:db8::1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['fe80::0001', 'fe80::1'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:7f00:1', '127.0.0.1'],
    ['::1.2.3.4', '::102:304'],
    ['10.0.0.1', '10.0.0.1'],
  ])('writes %s as %s (RFC 5952)', (input, output) => {
    expect(canonical(input)).toBe(output);
  });

  it('round-trips any 16 bytes through formatIp and parseIp', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.boolean(), (bytes, claimV4) => {
        const isMapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
        const ip: ParsedIp = { bytes, v4: claimV4 && isMapped };
        const text = formatIp(ip);
        const back = parseIp(text);
        expect(back, text).toBeDefined();
        expect([...back!.bytes]).toEqual([...bytes]);
        expect(back!.v4).toBe(isMapped);
        expect(text).toBe(text.toLowerCase());
        expect(formatIp(back!)).toBe(isMapped ? `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}` : text);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips addresses with long zero runs', () => {
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
        const text = groups.map((g) => g.toString(16)).join(':');
        const ip = parseIp(text)!;
        const out = formatIp(ip);
        expect([...parseIp(out)!.bytes]).toEqual([...ip.bytes]);
        if (!ip.v4) expect(out.split('::').length).toBeLessThanOrEqual(2);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseIp never throws', () => {
  it('on random strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        expect(() => parseIp(text)).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });

  it('on strings built from address characters', () => {
    const chars = fc.constantFrom(...'0123456789abcdefABCDEF:.%[]/ '.split(''));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 50 }), (parts) => {
        const text = parts.join('');
        const ip = parseIp(text);
        if (ip !== undefined) {
          expect(ip.bytes).toHaveLength(16);
          expect([...parseIp(formatIp(ip))!.bytes]).toEqual([...ip.bytes]);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
