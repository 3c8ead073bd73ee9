// An open-loop load at a fixed rate: each request leaves when it is due, whatever the answers before it.
import { Agent, request } from 'node:http';
import { percentile } from './statistics.js';
import type { LoadResult, LoadTarget } from './drive-load.js';

/** The requests to send, with headers that may change for each. */
export interface PacedTarget extends LoadTarget {
  /** Headers for each request over the fixed ones (the flood's rotating credentials and client addresses). */
  readonly vary?: () => Readonly<Record<string, string>>;
}

/** How many requests, how fast, over how many keep-alive connections at most. */
export interface PacedShape {
  readonly seconds: number;
  /** Requests per second, evenly spaced. */
  readonly rate: number;
  /** Most connections open at once; a request finding them all busy waits, and that wait counts. */
  readonly connections: number;
  /** How long one request may take before it counts as an error. @default 10_000 */
  readonly timeoutMs?: number;
}

/**
 * Sends request `i` at `start + i / rate` (as wrk2 does, not as autocannon's `overallRate`, which
 * lets each connection send its share back to back at the top of every second, so a "1,000 per
 * second" flood arrives as one burst a second). A latency counts from when its request was due, not
 * from when a free connection let it leave, so a stalled app cannot hide the requests it held up
 * (no coordinated omission). Latencies are of 2xx responses, in milliseconds.
 *
 * @example
 * const valid = await drivePaced({ url, path: '/v1/chat/completions', headers, body }, { seconds: 5, rate: 200, connections: 8 });
 */
export async function drivePaced(target: PacedTarget, shape: PacedShape): Promise<LoadResult> {
  if (!(shape.rate > 0) || !(shape.seconds > 0) || !(shape.connections >= 1)) throw new RangeError(`drivePaced needs a positive rate, duration and connection count, got ${JSON.stringify(shape)}`);
  const url = new URL(target.path, target.url);
  const agent = new Agent({ keepAlive: true, maxSockets: shape.connections });
  const baseHeaders = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(target.body)), ...target.headers };
  const timeoutMs = shape.timeoutMs ?? 10_000;
  const total = Math.max(1, Math.round(shape.seconds * shape.rate));
  const spacingMs = 1_000 / shape.rate;
  const times: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let settled = 0;

  const done = new Promise<void>((resolve) => {
    const settle = (): void => {
      if (++settled === total) resolve();
    };
    const send = (due: number): void => {
      const headers = target.vary === undefined ? baseHeaders : { ...baseHeaders, ...target.vary() };
      const req = request(url, { method: 'POST', agent, headers, timeout: timeoutMs });
      let counted = false;
      const fail = (): void => {
        if (counted) return;
        counted = true;
        errors++;
        settle();
      };
      req.once('response', (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        res.once('end', () => {
          if (counted) return;
          counted = true;
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status >= 200 && status < 300) times.push(performance.now() - due);
          settle();
        });
        res.once('error', fail);
      });
      req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.once('error', fail);
      req.end(target.body);
    };
    const start = performance.now();
    let sent = 0;
    const tick = (): void => {
      const now = performance.now();
      // Everything due by now leaves now: a late timer sends what it owes at once and the schedule holds.
      while (sent < total && start + sent * spacingMs <= now) send(start + sent++ * spacingMs);
      if (sent < total) setTimeout(tick, start + sent * spacingMs - performance.now());
    };
    tick();
  });
  try {
    await done;
  } finally {
    agent.destroy();
  }
  times.sort((a, b) => a - b);
  const responses = Object.values(statuses).reduce((sum, count) => sum + count, 0);
  const ok = times.length;
  return {
    requestsPerSecond: ok / shape.seconds,
    p50Ms: percentile(times, 50),
    p99Ms: percentile(times, 99),
    responses,
    statuses,
    non2xx: responses - ok,
    errors,
  };
}
