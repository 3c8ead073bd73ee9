// Entry of an app process: builds the app the harness asked for, listens on loopback, answers the harness.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AppSpec } from '../configuration.js';
import { chatRequestBody } from '../bench-request.js';
import { AppCounters } from './app-counters.js';
import { appBuilder } from './apps/build-app.js';
import { noFloodCredentials, type BuiltChain } from './chains/build-chain.js';
import type { AppMessage, LoopDelay, QueryMessage } from './messages.js';
import { UsageMeter } from './process-usage.js';
import { startUpstream } from './upstream.js';

function send(message: AppMessage): void {
  process.send?.(message);
}

function readSpec(): AppSpec {
  const text = process.env['TOLLGATE_BENCH_SPEC'];
  if (text === undefined) throw new Error('TOLLGATE_BENCH_SPEC is not set: this file is started by the bench harness');
  return JSON.parse(text) as AppSpec;
}

const nsPerMs = 1e6;

async function main(): Promise<void> {
  const spec = readSpec();
  const counters = new AppCounters();
  const upstream = await startUpstream(spec.upstream, chatRequestBody(false));
  const deps = { workDir: spec.workDir, redisUrl: spec.redisUrl, counters };
  // Bare routes and peer stacks never load tollgate (only the stub upstream).
  const chain: BuiltChain | undefined = spec.chain === undefined ? undefined : await (await import('./chains/build-chain.js')).buildChain(spec.chain, deps);
  const build = await appBuilder(spec.app);
  // The flood app also times its answered requests from the inside, where the load generator's own delays do not count.
  const app = await build({ chain, upstream, counters, workDir: spec.workDir, signal: spec.signal ?? false, timeAnswers: spec.chain === 'flood' });
  // 1 ms resolution: fine enough for delays that matter under load, cheap enough not to add any.
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const usage = new UsageMeter();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      loop.disable();
      usage.close();
      await app.close();
      await chain?.close();
      await upstream.close();
    })();
    return stopping;
  };
  const answer = async (query: QueryMessage['query']): Promise<unknown> => {
    switch (query) {
      case 'reset':
        loop.reset();
        usage.reset();
        counters.reset();
        return undefined;
      case 'event-loop':
        return { p50Ms: loop.percentile(50) / nsPerMs, p99Ms: loop.percentile(99) / nsPerMs, maxMs: loop.max / nsPerMs, meanMs: loop.mean / nsPerMs } satisfies LoopDelay;
      case 'usage':
        return usage.read();
      case 'counters':
        return counters.snapshot();
      case 'handler-latency':
        return counters.latencies();
      case 'bad-credentials':
        return chain?.badCredentials ?? noFloodCredentials;
      case 'stop':
        await stop();
        return undefined;
    }
  };
  process.on('message', (message: QueryMessage) => {
    void answer(message.query).then(
      (value) => {
        send({ type: 'answer', id: message.id, value });
        if (message.query === 'stop') process.disconnect();
      },
      (error: unknown) => send({ type: 'failed', message: (error as Error).stack ?? String(error) }),
    );
  });
  // The harness going away ends the app too.
  process.once('disconnect', () => void stop().finally(() => process.exit(0)));
  send({ type: 'ready', url: app.url, headers: { ...app.headers } });
}

main().catch((error: unknown) => {
  send({ type: 'failed', message: (error as Error).stack ?? String(error) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
});
