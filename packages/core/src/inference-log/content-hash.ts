// Keyed hashes of prompts and outputs: comparable under one key, useless for guessing short texts without it.
import * as nodeCrypto from 'node:crypto';
import { createHash, createHmac, randomBytes, type Hmac } from 'node:crypto';
import { ConfigError } from '../errors/tollgate-error.js';
import { canonicalJson } from './canonical-json.js';

/** HMAC-SHA-256 under one key, whole or incrementally. */
export interface ContentHasher {
  /** Names the key without revealing it (first 16 hex digits of a SHA-256 of it). */
  readonly keyId: string;
  hash(data: string | Uint8Array): string;
  incremental(): { update(chunk: Uint8Array): void; digest(): string };
}

/** Shortest accepted key, in bytes: as long as the hash itself. */
export const minHashKeyBytes = 32;

/**
 * A hasher for `key` (at least 32 bytes; a string is taken as UTF-8), or for a random per-process
 * key when `key` is undefined.
 *
 * @example
 * const hasher = contentHasher(process.env.TOLLGATE_HASH_KEY);
 * hasher.hash('hello') // 64 hex digits
 */
export function contentHasher(key: string | Uint8Array | undefined, name = 'inferenceLog.hashKey'): ContentHasher {
  if (key !== undefined && typeof key !== 'string' && !(key instanceof Uint8Array)) throw new ConfigError(`${name} must be a string or bytes`);
  const bytes = key === undefined ? randomBytes(minHashKeyBytes) : typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
  if (bytes.length < minHashKeyBytes) throw new ConfigError(`${name} must be at least ${minHashKeyBytes} bytes long; got ${bytes.length}`);
  const keyId = createHash('sha256').update('tollgate-hash-key-id\0').update(bytes).digest('hex').slice(0, 16);
  if (oneShot === undefined) {
    return {
      keyId,
      hash: (data) => createHmac('sha256', bytes).update(data).digest('hex'),
      incremental() {
        const hmac = createHmac('sha256', bytes);
        return { update: (chunk) => void hmac.update(chunk), digest: () => hmac.digest('hex') };
      },
    };
  }
  const pads = keyPads(bytes);
  return {
    keyId,
    hash(data) {
      const message = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      const inner = Buffer.allocUnsafe(blockBytes + message.byteLength);
      pads.inner.copy(inner, 0);
      inner.set(message, blockBytes);
      return outerDigest(oneShot, pads, inner);
    },
    incremental: () => new BufferedHmac(oneShot, pads, bytes),
  };
}

type OneShotHash = (algorithm: string, data: Uint8Array, outputEncoding: 'latin1' | 'hex') => string;

// crypto.hash (Node 20.12+) digests in one call. Node 20's Hmac object looks its digest up in OpenSSL 3
// each time one is made, which under load cost several times the hashing itself, twice per request
// (prompt and output); HMAC-SHA-256 is two SHA-256 digests over the key's padded blocks (RFC 2104).
const oneShot: OneShotHash | undefined = (nodeCrypto as { hash?: OneShotHash }).hash;
const blockBytes = 64;
/** Output kept for one digest at the end; a longer answer switches to a streaming Hmac. */
const maxBufferedBytes = 64 * 1024;

interface KeyPads {
  readonly inner: Buffer;
  readonly outer: Buffer;
}

function keyPads(key: Buffer): KeyPads {
  const block = Buffer.alloc(blockBytes);
  (key.length > blockBytes ? createHash('sha256').update(key).digest() : key).copy(block);
  const inner = Buffer.alloc(blockBytes);
  const outer = Buffer.alloc(blockBytes);
  for (let i = 0; i < blockBytes; i++) {
    inner[i] = block[i]! ^ 0x36;
    outer[i] = block[i]! ^ 0x5c;
  }
  return { inner, outer };
}

/**
 * The HMAC of a message, given the inner pad followed by the message. The inner digest comes back as
 * latin1 text (one character per byte) and is written into place: Node 20's `crypto.hash` returns a
 * Buffer far more slowly than text (1.4 µs against 0.3 µs for a small input here), which made this
 * HMAC cost twice what it does now.
 */
function outerDigest(hash: OneShotHash, pads: KeyPads, innerInput: Uint8Array): string {
  const outer = Buffer.allocUnsafe(blockBytes + 32);
  pads.outer.copy(outer, 0);
  outer.write(hash('sha256', innerInput, 'latin1'), blockBytes, 'latin1');
  return hash('sha256', outer, 'hex');
}

/** An incremental HMAC that copies what it is fed (up to 64 KiB) and digests it in one call at the end. */
class BufferedHmac {
  readonly #hash: OneShotHash;
  readonly #pads: KeyPads;
  readonly #key: Buffer;
  #kept: Buffer | undefined = undefined;
  #size = blockBytes;
  #hmac: Hmac | undefined = undefined;

  constructor(hash: OneShotHash, pads: KeyPads, key: Buffer) {
    this.#hash = hash;
    this.#pads = pads;
    this.#key = key;
  }

  update(chunk: Uint8Array): void {
    if (this.#hmac !== undefined) {
      this.#hmac.update(chunk);
      return;
    }
    const size = this.#size + chunk.byteLength;
    if (size > blockBytes + maxBufferedBytes) {
      this.#hmac = createHmac('sha256', this.#key);
      if (this.#kept !== undefined) this.#hmac.update(this.#kept.subarray(blockBytes, this.#size));
      this.#hmac.update(chunk);
      this.#kept = undefined;
      return;
    }
    if (this.#kept === undefined || size > this.#kept.length) {
      // Copied, not referenced: a writer may reuse its buffer once write() returned.
      const grown = Buffer.allocUnsafe(Math.min(blockBytes + maxBufferedBytes, Math.max(size, 2 * (this.#kept?.length ?? 1024))));
      if (this.#kept === undefined) this.#pads.inner.copy(grown, 0);
      else this.#kept.copy(grown, 0, 0, this.#size);
      this.#kept = grown;
    }
    this.#kept.set(chunk, this.#size);
    this.#size = size;
  }

  digest(): string {
    if (this.#hmac !== undefined) return this.#hmac.digest('hex');
    const innerInput = this.#kept === undefined ? this.#pads.inner : this.#kept.subarray(0, this.#size);
    return outerDigest(this.#hash, this.#pads, innerInput);
  }
}

// The members of a request body that hold what was asked, across the supported APIs.
const promptMembers = ['system', 'instructions', 'messages', 'prompt', 'input'] as const;

/**
 * The prompt part of an inference request body (chat `messages`, completions `prompt`, embeddings and
 * responses `input`, Anthropic `system`), or undefined when the body has none.
 *
 * @example
 * promptOf({ model: 'm', messages: [{ role: 'user', content: 'hi' }], temperature: 0 }) // { messages: [...] }
 */
export function promptOf(body: unknown): Record<string, unknown> | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const picked: Record<string, unknown> = {};
  for (const member of promptMembers) {
    const value = (body as Record<string, unknown>)[member];
    if (value !== undefined) picked[member] = value;
  }
  return Object.keys(picked).length === 0 ? undefined : picked;
}

/** The text a prompt is hashed as: its canonical JSON, so key order does not change the hash. */
export function promptText(prompt: Record<string, unknown>): string {
  return canonicalJson(prompt);
}
