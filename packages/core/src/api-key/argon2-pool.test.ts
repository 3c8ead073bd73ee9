// Unit tests of the argon2 worker pool: right answers, errors as rejections, lazy workers, low priority on Linux, close.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Argon2Pool, perThreadPriority } from './argon2-pool.js';
import { hashSecret } from './secret-hash.js';

// Cheap parameters: these tests are about the pool, not argon2's cost.
const cheap = { memoryCost: 1024, timeCost: 1 };

/** The nice value of each thread of this process, by thread id (Linux /proc). */
function threadNiceValues(): Map<string, number> {
  const values = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name's closing parenthesis; nice is field 19 of stat, the 17th of these.
      values.set(tid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return values;
}

const pools: Argon2Pool[] = [];
function pool(size: number, lowerPriority?: boolean, idleMs?: number): Argon2Pool {
  const made = new Argon2Pool({ size, ...(lowerPriority === undefined ? {} : { lowerPriority }), ...(idleMs === undefined ? {} : { idleMs }) });
  pools.push(made);
  return made;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('Argon2Pool', () => {
  it('tells the right secret from a wrong one', async () => {
    const phc = await hashSecret('right secret', cheap);
    const argon2 = pool(1);
    await expect(argon2.verify(phc, 'right secret')).resolves.toBe(true);
    await expect(argon2.verify(phc, 'wrong secret')).resolves.toBe(false);
  });

  it('starts workers only when needed, at most size, and reuses idle ones', async () => {
    const phc = await hashSecret('s', cheap);
    const argon2 = pool(2);
    expect(argon2.workers).toBe(0);
    await argon2.verify(phc, 's');
    await argon2.verify(phc, 's');
    expect(argon2.workers).toBe(1);
    await Promise.all([argon2.verify(phc, 's'), argon2.verify(phc, 's')]);
    expect(argon2.workers).toBe(2);
  });

  it('refuses a verification past size instead of queueing it (the caller bounds concurrency)', async () => {
    const phc = await hashSecret('s', cheap);
    const argon2 = pool(1);
    const first = argon2.verify(phc, 's');
    await expect(argon2.verify(phc, 's')).rejects.toThrow('all 1 workers are busy');
    await expect(first).resolves.toBe(true);
  });

  it('rejects a hash argon2 cannot read, and the worker goes on serving', async () => {
    const argon2 = pool(1);
    await expect(argon2.verify('not a PHC string', 's')).rejects.toThrow(/^argon2 verification failed: /);
    const phc = await hashSecret('s', cheap);
    await expect(argon2.verify(phc, 's')).resolves.toBe(true);
    expect(argon2.workers).toBe(1);
  });

  it('ends a worker left idle, and starts a fresh one for the next verification', async () => {
    const phc = await hashSecret('s', cheap);
    const argon2 = pool(1, undefined, 50);
    await argon2.verify(phc, 's');
    expect(argon2.workers).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(argon2.workers).toBe(0);
    await expect(argon2.verify(phc, 's')).resolves.toBe(true);
    expect(argon2.workers).toBe(1);
  });

  it('verifies in libuv when workers cannot start, and says so once', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const phc = await hashSecret('s', cheap);
      const argon2 = new Argon2Pool({ size: 1, argon2Module: '/nonexistent/argon2.js' });
      pools.push(argon2);
      await expect(argon2.verify(phc, 's')).resolves.toBe(true);
      expect(argon2.inLibuv).toBe(true);
      await expect(argon2.verify(phc, 'wrong')).resolves.toBe(false);
      expect(argon2.workers).toBe(0);
      await new Promise((resolve) => setImmediate(resolve));
      const ours = warnings.filter((w) => (w as { code?: string }).code === 'TOLLGATE_ARGON2_WORKERS');
      expect(ours).toHaveLength(1);
      expect(ours[0]!.message).toMatch(/^argon2 worker threads are unavailable \(.*argon2\.js.*\); API keys are verified in libuv's thread pool at normal priority$/);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('ends its workers on close: a running verification rejects, later ones are refused', async () => {
    // Costly enough to still be running when close() lands.
    const phc = await hashSecret('s', { memoryCost: 65_536, timeCost: 8 });
    const argon2 = pool(1);
    const running = argon2.verify(phc, 's');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await argon2.close();
    await expect(running).rejects.toThrow(/argon2 worker exited/);
    expect(argon2.workers).toBe(0);
    await expect(argon2.verify(phc, 's')).rejects.toThrow('argon2 pool is closed');
  });

  it('keeps the process alive while a verification runs, and not once its workers are idle', async () => {
    // A process that verifies and never closes the pool: it must print the answer, then exit by itself.
    const script = `
      import { Argon2Pool } from ${JSON.stringify(fileURLToPath(new URL('./argon2-pool.ts', import.meta.url)))};
      import { hashSecret } from ${JSON.stringify(fileURLToPath(new URL('./secret-hash.ts', import.meta.url)))};
      const phc = await hashSecret('s', { memoryCost: 1024, timeCost: 1 });
      console.log(await new Argon2Pool({ size: 1 }).verify(phc, 's'));
    `;
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 20_000 }, (_error, out) => resolve({ code: child.exitCode, stdout: out }));
    });
    expect(stdout.trim()).toBe('true');
    expect(code).toBe(0);
  }, 30_000);

  it.runIf(perThreadPriority())('runs its workers at nice 19 and leaves the other threads alone (Linux only)', async () => {
    const before = threadNiceValues();
    const argon2 = pool(1);
    expect(argon2.lowersPriority).toBe(true);
    await argon2.verify(await hashSecret('s', cheap), 's');
    const added = [...threadNiceValues()].filter(([tid]) => !before.has(tid));
    expect(added.some(([, nice]) => nice === 19)).toBe(true);
    expect(threadNiceValues().get(String(process.pid))).toBe(before.get(String(process.pid)));
  });

  it.runIf(process.platform === 'linux')('keeps normal priority when asked to (read in Linux /proc)', async () => {
    const before = threadNiceValues();
    const argon2 = pool(1, false);
    expect(argon2.lowersPriority).toBe(false);
    await argon2.verify(await hashSecret('s', cheap), 's');
    const added = [...threadNiceValues()].filter(([tid]) => !before.has(tid));
    expect(added.length).toBeGreaterThan(0);
    expect(added.every(([, nice]) => nice === before.get(String(process.pid)))).toBe(true);
  });

  it('lowers thread priority only on Linux, where it belongs to the thread', () => {
    expect(perThreadPriority('linux')).toBe(true);
    expect(perThreadPriority('darwin')).toBe(false);
    expect(perThreadPriority('win32')).toBe(false);
  });
});
