import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../errors/tollgate-error.js';
import { contentHasher } from './content-hash.js';

describe('contentHasher', () => {
  // Keys shorter than, equal to and longer than SHA-256's 64-byte block (a longer key is hashed first).
  const keys = [randomBytes(32), randomBytes(63), randomBytes(64), randomBytes(65), randomBytes(200)];
  const messages: (string | Uint8Array)[] = ['', 'hello', 'é✓ unicode', 'x'.repeat(10_000), new Uint8Array([0, 1, 2, 255]), randomBytes(4096)];

  it('gives the same digests as createHmac for every key length, whole and incrementally', () => {
    for (const key of keys) {
      const hasher = contentHasher(key);
      for (const message of messages) {
        const expected = createHmac('sha256', key).update(message).digest('hex');
        expect(hasher.hash(message)).toBe(expected);
        const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
        const digest = hasher.incremental();
        for (let at = 0; at < bytes.length; at += 1000) digest.update(bytes.subarray(at, at + 1000));
        expect(digest.digest()).toBe(expected);
      }
    }
  });

  it('digests a long answer the same whether kept whole or streamed past the 64 KiB it keeps', () => {
    const key = randomBytes(32);
    const hasher = contentHasher(key);
    for (const size of [65_535, 65_536, 65_537, 300_000]) {
      const bytes = randomBytes(size);
      for (const piece of [1, 7_000, 70_000]) {
        const digest = hasher.incremental();
        for (let at = 0; at < size; at += piece) digest.update(bytes.subarray(at, at + piece));
        expect(digest.digest()).toBe(createHmac('sha256', key).update(bytes).digest('hex'));
      }
    }
  });

  it('copies what it is fed: a writer reusing its buffer does not change the digest', () => {
    const key = randomBytes(32);
    const digest = contentHasher(key).incremental();
    const buffer = Buffer.from('first part|');
    digest.update(buffer);
    buffer.fill(0);
    digest.update(Buffer.from('second part'));
    expect(digest.digest()).toBe(createHmac('sha256', key).update('first part|second part').digest('hex'));
  });

  it('keeps hashes independent of each other while several are in flight', () => {
    const key = randomBytes(32);
    const hasher = contentHasher(key);
    const [a, b] = [hasher.incremental(), hasher.incremental()];
    a.update(Buffer.from('first'));
    b.update(Buffer.from('second'));
    expect(hasher.hash('between')).toBe(createHmac('sha256', key).update('between').digest('hex'));
    expect(a.digest()).toBe(createHmac('sha256', key).update('first').digest('hex'));
    expect(b.digest()).toBe(createHmac('sha256', key).update('second').digest('hex'));
  });

  it('takes a string key as UTF-8 and names it without revealing it', () => {
    const key = 'k'.repeat(40);
    const hasher = contentHasher(key);
    expect(hasher.hash('x')).toBe(createHmac('sha256', Buffer.from(key, 'utf8')).update('x').digest('hex'));
    expect(hasher.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(hasher.keyId).not.toContain(Buffer.from(key).toString('hex').slice(0, 16));
  });

  it('falls back to createHmac where crypto.hash is missing (Node before 20.12), with the same digests', async () => {
    vi.resetModules();
    vi.doMock('node:crypto', async (importOriginal) => ({ ...(await importOriginal<typeof import('node:crypto')>()), hash: undefined }));
    try {
      const { contentHasher: withoutOneShot } = await import('./content-hash.js');
      const key = randomBytes(40);
      const hasher = withoutOneShot(key);
      const bytes = randomBytes(100_000);
      const digest = hasher.incremental();
      digest.update(bytes.subarray(0, 30_000));
      digest.update(bytes.subarray(30_000));
      expect(digest.digest()).toBe(createHmac('sha256', key).update(bytes).digest('hex'));
      expect(hasher.hash('prompt')).toBe(createHmac('sha256', key).update('prompt').digest('hex'));
      expect(hasher.keyId).toBe(contentHasher(key).keyId);
    } finally {
      vi.doUnmock('node:crypto');
      vi.resetModules();
    }
  });

  it('refuses short keys and keys of the wrong type', () => {
    expect(() => contentHasher('short')).toThrow(ConfigError);
    expect(() => contentHasher(randomBytes(31))).toThrow(/at least 32 bytes/);
    expect(() => contentHasher(42 as unknown as string)).toThrow(/string or bytes/);
  });

  it('makes a random key per hasher when none is given', () => {
    expect(contentHasher(undefined).hash('x')).not.toBe(contentHasher(undefined).hash('x'));
  });
});
