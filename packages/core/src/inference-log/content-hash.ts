// Keyed hashes of prompts and outputs: comparable under one key, useless for guessing short texts without it.
import { createHash, createHmac, randomBytes } from 'node:crypto';
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
  return {
    keyId,
    hash: (data) => createHmac('sha256', bytes).update(data).digest('hex'),
    incremental() {
      const hmac = createHmac('sha256', bytes);
      return { update: (chunk) => void hmac.update(chunk), digest: () => hmac.digest('hex') };
    },
  };
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
