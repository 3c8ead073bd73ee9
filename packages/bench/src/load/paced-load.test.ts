// drivePaced over a real loopback server: evenly spaced arrivals, latency from when a request was due, statuses and errors.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { drivePaced } from './paced-load.js';

let server: Server | undefined;

async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handle);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

const body = JSON.stringify({ hello: 'world' });

describe('drivePaced', () => {
  it('spreads the requests evenly over the run instead of bursting them at the top of each second', async () => {
    const arrivals: number[] = [];
    const url = await serve((req, res) => {
      arrivals.push(performance.now());
      req.resume();
      res.end('ok');
    });
    const result = await drivePaced({ url, path: '/x', headers: {}, body }, { seconds: 1, rate: 200, connections: 20 });
    expect(result.responses).toBe(200);
    expect(result.statuses).toEqual({ 200: 200 });
    // 200 per second is one every 5 ms: any 50 ms holds about 10, where a burst would hold them all.
    const start = arrivals[0]!;
    const perWindow = new Map<number, number>();
    for (const at of arrivals) perWindow.set(Math.floor((at - start) / 50), (perWindow.get(Math.floor((at - start) / 50)) ?? 0) + 1);
    expect(Math.max(...perWindow.values())).toBeLessThanOrEqual(20);
    expect(arrivals.at(-1)! - start).toBeGreaterThan(900);
  });

  it('counts latency from when a request was due, so a stall shows in the requests it held up', async () => {
    let stalled = false;
    const url = await serve((req, res) => {
      req.resume();
      if (!stalled) {
        // The first answer takes 300 ms on the only connection: the requests due meanwhile wait behind it.
        stalled = true;
        setTimeout(() => res.end('slow'), 300);
        return;
      }
      res.end('ok');
    });
    const result = await drivePaced({ url, path: '/x', headers: {}, body }, { seconds: 1, rate: 100, connections: 1 });
    expect(result.responses).toBe(100);
    // About 30 requests were due during the stall; measured from their send time they would look fast.
    expect(result.p50Ms).toBeLessThan(150);
    expect(result.p99Ms).toBeGreaterThanOrEqual(250);
  });

  it('varies headers per request and counts statuses apart from 2xx latencies', async () => {
    const seen: string[] = [];
    const url = await serve((req, res) => {
      seen.push(String(req.headers['x-n']));
      req.resume();
      res.statusCode = Number(req.headers['x-n']) % 2 === 0 ? 200 : 401;
      res.end();
    });
    let n = 0;
    const result = await drivePaced({ url, path: '/x', headers: {}, body, vary: () => ({ 'x-n': String(n++) }) }, { seconds: 0.5, rate: 40, connections: 4 });
    expect(seen.sort()).toEqual(Array.from({ length: 20 }, (_, i) => String(i)).sort());
    expect(result.statuses).toEqual({ 200: 10, 401: 10 });
    expect(result.non2xx).toBe(10);
    expect(result.requestsPerSecond).toBe(20);
  });

  it('counts refused connections and timeouts as errors and still returns', async () => {
    const url = await serve(() => {
      // Never answers.
    });
    const hung = await drivePaced({ url, path: '/x', headers: {}, body }, { seconds: 0.1, rate: 20, connections: 2, timeoutMs: 100 });
    expect(hung.errors).toBe(2);
    expect(hung.responses).toBe(0);
    expect(Number.isNaN(hung.p99Ms)).toBe(true);
    const refused = await drivePaced({ url: 'http://127.0.0.1:1', path: '/x', headers: {}, body }, { seconds: 0.1, rate: 20, connections: 2 });
    expect(refused.errors).toBe(2);
  });

  it('refuses a shape it cannot run', async () => {
    await expect(drivePaced({ url: 'http://127.0.0.1:1', path: '/x', headers: {}, body }, { seconds: 1, rate: 0, connections: 1 })).rejects.toThrow(RangeError);
  });
});
