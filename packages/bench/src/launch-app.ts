// Starts an app in its own Node process (fork + tsx) and talks to it over IPC: ready, stats, stop.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AppSpec, RunningApp, StartSettings } from './configuration.js';
import type { AppMessage, FloodCredentials, HandlerLatency, LoopDelay, ProcessUsage, Query, QueryMessage } from './app-process/messages.js';

const entry = fileURLToPath(new URL('./app-process/main.ts', import.meta.url));
const sourceHooks = new URL('./source-packages.mjs', import.meta.url).href;

/** How long an app may take to start (argon2 hashing of its keys, a Cedar engine, a Redis connection). */
const startTimeoutMs = 60_000;
const queryTimeoutMs = 15_000;

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

/** Waits for the child's first message: ready (with its URL) or failed; an early exit is a failure too. */
function waitForReady(child: ChildProcess, stderr: () => string, what: string): Promise<Extract<AppMessage, { type: 'ready' }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${what}: not ready after ${startTimeoutMs / 1000} s`)), startTimeoutMs);
    const onMessage = (message: AppMessage) => {
      if (message.type === 'ready') done(() => resolve(message));
      else if (message.type === 'failed') fail(new Error(`${what}: ${message.message}`));
    };
    const onExit = (code: number | null) => fail(new Error(`${what}: exited with code ${String(code)} before it was ready\n${lastLines(stderr(), 15)}`));
    const done = (then: () => void) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      then();
    };
    const fail = (error: Error) => {
      done(() => reject(error));
      child.kill();
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/**
 * Forks `app-process/main.ts` with tsx (and, for `--source`, the hook that maps `@tollgate/*` to the
 * sources), tells it what to build, and resolves once it listens.
 *
 * @example
 * const app = await launchApp({ app: 'express', chain: 'api-key', upstream: 'http', workDir, redisUrl }, settings);
 * console.log(app.url); await app.stop();
 */
export async function launchApp(spec: AppSpec, settings: StartSettings): Promise<RunningApp> {
  const what = `${spec.app}${spec.chain === undefined ? '' : ` + ${spec.chain}`}`;
  const profile = settings.cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProfileDir}`, ...(settings.cpuProfileIntervalUs === undefined ? [] : [`--cpu-prof-interval=${settings.cpuProfileIntervalUs}`])];
  const execArgv = ['--import', 'tsx', ...(settings.source ? ['--import', sourceHooks] : []), ...profile, ...(settings.nodeFlags ?? [])];
  const child = fork(entry, [], {
    execArgv,
    env: { ...process.env, TOLLGATE_BENCH_SPEC: JSON.stringify(spec) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    stderr = (stderr + text).slice(-20_000);
  });
  const ready = await waitForReady(child, () => stderr, what);

  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  child.on('message', (message: AppMessage) => {
    if (message.type !== 'answer') return;
    pending.get(message.id)?.resolve(message.value);
    pending.delete(message.id);
  });
  child.once('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${what}: exited with code ${String(code)}\n${lastLines(stderr, 15)}`));
    pending.clear();
  });
  const ask = <T>(query: Query): Promise<T> => {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.reject(new Error(`${what}: the app process is gone\n${lastLines(stderr, 15)}`));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${what}: no answer to "${query}" within ${queryTimeoutMs / 1000} s`));
      }, queryTimeoutMs);
      pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      child.send({ id, query } satisfies QueryMessage);
    });
  };

  return {
    url: ready.url,
    pid: child.pid ?? -1,
    headers: ready.headers,
    resetStats: () => ask<void>('reset'),
    eventLoop: () => ask<LoopDelay>('event-loop'),
    usage: () => ask<ProcessUsage>('usage'),
    counters: () => ask<Record<string, number>>('counters'),
    handlerLatency: () => ask<HandlerLatency>('handler-latency'),
    badCredentials: () => ask<FloodCredentials>('bad-credentials'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await ask<void>('stop').catch(() => child.kill());
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
