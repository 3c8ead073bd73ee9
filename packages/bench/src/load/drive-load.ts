// Drives one app with autocannon from the harness process and summarises what came back.
import autocannon, { type Request as CannonRequest } from 'autocannon';
import { percentile } from './statistics.js';

/** The requests to send. */
export interface LoadTarget {
  readonly url: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** How long, over how many connections, each sending its next request as soon as the last is answered. */
export interface LoadShape {
  readonly seconds: number;
  readonly connections: number;
}

/**
 * What one run measured. Latencies are of 2xx responses, in milliseconds (from autocannon's
 * per-response timings here; from when each request was due in `drivePaced`).
 */
export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly responses: number;
  /** Responses by status code. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly non2xx: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
}

/**
 * Runs autocannon against `target`, closed loop (for throughput; a fixed rate is `drivePaced`'s:
 * autocannon's `overallRate` sends each connection's share back to back at the top of every
 * second), and collects every 2xx response time itself (autocannon's own histogram keeps whole
 * milliseconds, too coarse for sub-millisecond medians).
 *
 * @example
 * const result = await driveLoad({ url, path: '/v1/chat/completions', headers, body }, { seconds: 10, connections: 50 });
 */
export async function driveLoad(target: LoadTarget, shape: LoadShape): Promise<LoadResult> {
  const headers = { 'content-type': 'application/json', ...target.headers };
  const request: CannonRequest = { method: 'POST', path: target.path, headers, body: target.body };
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        connections: shape.connections,
        duration: shape.seconds,
        requests: [request],
        timeout: 10,
      },
      (error, finished) => (error ? reject(error as Error) : resolve(finished)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) times.push(responseTime);
    });
  });
  times.sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = stat.count ?? 0;
  const responses = Object.values(statuses).reduce((sum, count) => sum + count, 0);
  return {
    requestsPerSecond: result.duration > 0 ? result['2xx'] / result.duration : 0,
    p50Ms: percentile(times, 50),
    p99Ms: percentile(times, 99),
    responses,
    statuses,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
