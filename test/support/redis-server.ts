// Redis for tests: the shared server (skipped with a reason when absent, failing under CI) and private servers to kill.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** The shared Redis every test may use (never stopped by tests). */
export const sharedRedisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** Resolves true when Redis answers PING within a second. */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Whether tests needing the shared Redis can run: prints why they skip when it is absent, and throws
 * under CI=true, where a missing service must fail the run.
 */
export async function sharedRedisOrSkip(what: string): Promise<boolean> {
  if (await redisAnswers(sharedRedisUrl)) return true;
  const reason = `${what}: skipped, no Redis answers at ${sharedRedisUrl} (set REDIS_URL or start redis-server)`;
  if (process.env['CI'] === 'true') throw new Error(`${reason}; under CI=true this is a failure`);
  console.warn(reason);
  return false;
}

/** A key prefix no other run or test shares. */
export function uniquePrefix(label: string): string {
  return `tg-test-${label}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Deletes every key of a store prefix (keys look like `{prefix}:…`). */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `{${prefix}}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A private redis-server on a free loopback port, which a test may kill and start again. */
export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  /** Kills the server at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: it keeps nothing on disk); does nothing while it runs. */
  start(): Promise<void>;
  /** Stops it for good. */
  stop(): Promise<void>;
}

// Every private server still alive in this process, killed when the process ends, whatever the tests' cleanup did.
const running = new Set<ChildProcess>();

function killRunning(): void {
  for (const child of running) child.kill('SIGKILL');
}

// Vitest ends a test file's worker with SIGTERM, which skips 'exit' listeners: kill the servers, then let the signal do what it would have.
function killRunningOnSignal(signal: NodeJS.Signals): void {
  killRunning();
  process.off('SIGTERM', killRunningOnSignal).off('SIGINT', killRunningOnSignal);
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function track(child: ChildProcess): void {
  if (running.size === 0) process.on('exit', killRunning).on('SIGTERM', killRunningOnSignal).on('SIGINT', killRunningOnSignal);
  running.add(child);
  // 'close' also follows a spawn that failed, which emits no 'exit'.
  child.once('close', () => {
    running.delete(child);
    if (running.size === 0) process.off('exit', killRunning).off('SIGTERM', killRunningOnSignal).off('SIGINT', killRunningOnSignal);
  });
}

const isAlive = (child: ChildProcess | undefined): child is ChildProcess => child !== undefined && child.exitCode === null && child.signalCode === null;

/**
 * Starts `redis-server` on a free port with no persistence; throws when the binary is missing.
 *
 * @example
 * const redis = await startPrivateRedis(); await redis.kill(); await redis.start(); await redis.stop();
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const kill = async (): Promise<void> => {
    if (!isAlive(child)) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  const start = async (): Promise<void> => {
    // A second server could not bind the port while the first answers, and the first would lose its handle and outlive the test.
    if (isAlive(child)) return;
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore', detached: false });
    const spawned: { error?: Error } = {};
    child.once('error', (error) => void (spawned.error = error));
    track(child);
    try {
      const deadline = Date.now() + 10_000;
      while (!(await redisAnswers(url))) {
        if (spawned.error !== undefined) throw new Error(`redis-server could not start: ${spawned.error.message}`);
        if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} on port ${port}`);
        if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port} within 10 s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } catch (error) {
      // A server that never answered is no use to the test, and nobody else holds it to stop it.
      await kill();
      throw error;
    }
  };
  await start();
  return { url, port, kill, start, stop: kill };
}
