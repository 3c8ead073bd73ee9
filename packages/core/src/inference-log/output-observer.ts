// Watches the response body as it is written: keyed hash, size, time of the first byte, optional raw copy.
import type { ResponseObserver } from '../pipeline/step.js';
import type { ContentHasher } from './content-hash.js';

/** What the observer saw of one response. */
export interface ObservedOutput {
  /** `performance.now()` at the first body byte, if any was written. */
  readonly firstByteAt: number | undefined;
  readonly bytes: number;
  readonly contentType: string | undefined;
  /** Keyed hash of the body bytes, or undefined when hashing is off. */
  readonly hash: string | undefined;
  /** The first `maxRawBytes` of the body as text, when a raw copy was asked for. */
  readonly raw: string | undefined;
}

/** An observer plus a way to read what it saw (at any time; the hash is final once the response ended). */
export interface OutputObserver {
  readonly observer: ResponseObserver;
  result(): ObservedOutput;
}

/**
 * Builds the observer the inference log hands the pipeline for one response.
 *
 * @example
 * const { observer, result } = observeOutput(hasher, 0);
 * observer.chunk(new TextEncoder().encode('{}'));
 * result().bytes // 2
 */
export function observeOutput(hasher: ContentHasher | undefined, maxRawBytes: number): OutputObserver {
  const digest = hasher?.incremental();
  let hash: string | undefined;
  let firstByteAt: number | undefined;
  let bytes = 0;
  let contentType: string | undefined;
  const rawParts: Uint8Array[] = [];
  let rawBytes = 0;

  const finalHash = (): string | undefined => {
    if (digest !== undefined && hash === undefined) hash = digest.digest();
    return hash;
  };

  return {
    observer: {
      start(_status, type) {
        contentType = type;
      },
      chunk(chunk) {
        if (chunk.byteLength === 0 || hash !== undefined) return;
        firstByteAt ??= performance.now();
        bytes += chunk.byteLength;
        digest?.update(chunk);
        if (rawBytes < maxRawBytes) {
          const part = chunk.subarray(0, maxRawBytes - rawBytes);
          // Copied: the adapter may reuse the buffer after this call returns.
          rawParts.push(Uint8Array.from(part));
          rawBytes += part.byteLength;
        }
      },
      end() {
        finalHash();
      },
    },
    result() {
      let raw: string | undefined;
      if (maxRawBytes > 0) {
        const joined = Buffer.concat(rawParts);
        raw = new TextDecoder('utf-8', { fatal: false }).decode(joined) + (bytes > rawBytes ? '…' : '');
      }
      return { firstByteAt, bytes, contentType, hash: finalHash(), raw };
    },
  };
}
