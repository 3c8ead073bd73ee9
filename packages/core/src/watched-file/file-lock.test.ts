// The lock file around read-modify-write: exclusive, waits for the holder, clears a crashed writer's lock, gives up with a clear error.
import { mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withFileLock } from './file-lock.js';

describe('withFileLock', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tollgate-lock-'));
    file = join(dir, 'keys.yaml');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('runs tasks one at a time and removes the lock after each, even when a task fails', async () => {
    const order: string[] = [];
    const task = (name: string, ms: number) => () => withFileLock(file, async () => {
      order.push(`${name}:start`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      order.push(`${name}:end`);
    });
    await Promise.all([task('a', 40)(), task('b', 1)(), task('c', 1)()]);
    expect(order.filter((_, i) => i % 2 === 0).map((s) => s.split(':')[0])).toStrictEqual(order.filter((_, i) => i % 2 === 1).map((s) => s.split(':')[0]));
    await expect(withFileLock(file, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(stat(`${file}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('removes a lock left by a crashed writer, and gives up on a live one with a clear error', async () => {
    await writeFile(`${file}.lock`, '999999 crashed\n');
    const old = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, old, old);
    expect(await withFileLock(file, async () => 'ran')).toBe('ran');
    await writeFile(`${file}.lock`, 'held\n');
    await expect(withFileLock(file, async () => 'never', { timeoutMs: 100 })).rejects.toThrow(`${file}.lock is held by another writer for more than 100 ms; if no writer is running, remove it`);
  });
});
