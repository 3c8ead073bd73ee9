// Random hex strings cut from a pool of random bytes, refilled 4 KiB at a time.
import { randomFillSync } from 'node:crypto';

// One randomFillSync per 4 KiB instead of one randomBytes call per id: a call costs about the same
// for 12 bytes as for 4 KiB (some 6 µs on a virtual machine), as randomUUID buffers its own for that reason.
const pool = Buffer.alloc(4096);
let offset = pool.length;

/**
 * `byteCount` fresh random bytes (from the CSPRNG; each byte handed out once) as lowercase hex.
 *
 * @example
 * randomHex(16) // '9f86d081884c7d659a2feaa0c55ad015'
 */
export function randomHex(byteCount: number): string {
  if (!Number.isInteger(byteCount) || byteCount < 1 || byteCount > pool.length) {
    throw new RangeError(`randomHex: byteCount must be an integer from 1 to ${pool.length}, got ${byteCount}`);
  }
  if (offset + byteCount > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + byteCount);
  offset += byteCount;
  return hex;
}
