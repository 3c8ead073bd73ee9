// The API key format `tg_<env>_<keyId>_<secret><checksum>`: generation, checksum and strict parsing.
import { randomBytes } from 'node:crypto';

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Length of the key id part (base62, ~71 bits). */
export const keyIdLength = 12;
/** Length of the secret part: 43 base62 characters carry 256 bits from the CSPRNG. */
export const secretLength = 43;
/** Length of the CRC-32 checksum in base62. */
export const checksumLength = 6;
const envPattern = /^[a-z0-9]{1,16}$/;
const base62 = /^[0-9A-Za-z]+$/;
/** Longest possible key; anything longer is refused before any parsing. */
export const maxApiKeyLength = 3 + 16 + 1 + keyIdLength + 1 + secretLength + checksumLength;

/** The parts of a well-formed key. */
export interface ApiKeyParts {
  readonly env: string;
  readonly keyId: string;
  readonly secret: string;
}

const crcTable = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE) of an ASCII string. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = crcTable[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function toBase62(value: bigint, width: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < width; i++) {
    out = alphabet[Number(rest % 62n)]! + out;
    rest /= 62n;
  }
  return out;
}

/** `n` uniformly random base62 characters (rejection sampling, no modulo bias). */
function randomBase62(n: number): string {
  let out = '';
  while (out.length < n) {
    for (const byte of randomBytes(n * 2)) {
      if (byte < 248 && out.length < n) out += alphabet[byte % 62]!;
    }
  }
  return out;
}

function checksumOf(body: string): string {
  return toBase62(BigInt(crc32(body)), checksumLength);
}

/** A new random key id. */
export function newKeyId(): string {
  return randomBase62(keyIdLength);
}

/** A new random secret of 256 bits. */
export function newSecret(): string {
  return toBase62(BigInt(`0x${randomBytes(32).toString('hex')}`), secretLength);
}

/** Throws a TypeError unless `env` is 1–16 lower-case letters or digits. */
export function assertKeyEnv(env: string): void {
  if (!envPattern.test(env)) throw new TypeError(`key environment must be 1-16 lower-case letters or digits; got ${JSON.stringify(env)}`);
}

/**
 * Assembles the plaintext key from its parts, adding the checksum.
 *
 * @example
 * formatApiKey({ env: 'live', keyId: newKeyId(), secret: newSecret() }) // 'tg_live_…'
 */
export function formatApiKey(parts: ApiKeyParts): string {
  const body = `tg_${parts.env}_${parts.keyId}_${parts.secret}`;
  return body + checksumOf(body);
}

/**
 * Parses a key strictly: prefix, environment, id, secret and checksum must all be right.
 * Returns undefined for anything else; never throws, never touches a store.
 *
 * @example
 * parseApiKey('tg_live_x') // undefined
 */
export function parseApiKey(text: string): ApiKeyParts | undefined {
  if (text.length > maxApiKeyLength || !text.startsWith('tg_')) return undefined;
  const envEnd = text.indexOf('_', 3);
  if (envEnd < 0) return undefined;
  const env = text.slice(3, envEnd);
  const idEnd = envEnd + 1 + keyIdLength;
  if (!envPattern.test(env) || text[idEnd] !== '_') return undefined;
  const keyId = text.slice(envEnd + 1, idEnd);
  const tail = text.slice(idEnd + 1);
  if (tail.length !== secretLength + checksumLength || !base62.test(keyId) || !base62.test(tail)) return undefined;
  const secret = tail.slice(0, secretLength);
  const body = text.slice(0, idEnd + 1 + secretLength);
  if (checksumOf(body) !== tail.slice(secretLength)) return undefined;
  return { env, keyId, secret };
}

/** Matches a tollgate key; for scanning text use `new RegExp(apiKeyPattern, 'g')`. */
export const apiKeyPattern = /\btg_[a-z0-9]{1,16}_[0-9A-Za-z]{12}_[0-9A-Za-z]{49}\b/;
