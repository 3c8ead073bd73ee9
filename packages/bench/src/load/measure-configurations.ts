// Measures a group of configurations: start each app, check it answers, warm up, then interleave the repeats.
import type { LoopDelay, ProcessUsage } from '../app-process/messages.js';
import { benchPath, chatRequestBody } from '../bench-request.js';
import type { Configuration, RunningApp, StartSettings } from '../configuration.js';
import { driveLoad, type LoadShape, type LoadTarget } from './drive-load.js';
import { checkAnswer } from './check-answer.js';

/** One measured run of one configuration. */
export interface Sample {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly eventLoop: LoopDelay;
  /** The app process's CPU time and GC pauses over the run. */
  readonly usage: ProcessUsage;
  /** The app's own counters over the run: requests its route handled, Redis commands. */
  readonly counters: Readonly<Record<string, number>>;
}

/** A configuration's samples, or why it has none. */
export interface Measurement {
  readonly configuration: Configuration;
  readonly samples: readonly Sample[];
  /** Set when the app failed to start, answered wrongly, or returned non-2xx responses or errors. */
  readonly failure?: string;
}

/** How each configuration is driven. */
export interface MeasureSettings extends StartSettings {
  readonly shape: LoadShape;
  readonly warmupSeconds: number;
  readonly repeats: number;
}

function targetOf(configuration: Configuration, app: RunningApp): LoadTarget {
  return { url: app.url, path: benchPath, headers: app.headers, body: JSON.stringify(chatRequestBody(configuration.stream)) };
}

interface Live {
  readonly configuration: Configuration;
  readonly app: RunningApp;
  readonly samples: Sample[];
  failure?: string;
}

async function startAndCheck(configuration: Configuration, settings: MeasureSettings): Promise<Live | Measurement> {
  let app: RunningApp;
  try {
    app = await configuration.start(settings);
  } catch (error) {
    return { configuration, samples: [], failure: `did not start: ${(error as Error).message}` };
  }
  const wrong = await checkAnswer(targetOf(configuration, app), configuration.stream);
  if (wrong !== undefined) {
    await app.stop();
    return { configuration, samples: [], failure: wrong };
  }
  return { configuration, app, samples: [] };
}

async function measureOnce(live: Live, settings: MeasureSettings): Promise<void> {
  let result: Awaited<ReturnType<typeof driveLoad>>;
  let eventLoop: LoopDelay;
  let usage: ProcessUsage;
  let counters: Readonly<Record<string, number>>;
  try {
    await live.app.resetStats();
    result = await driveLoad(targetOf(live.configuration, live.app), settings.shape);
    [eventLoop, usage, counters] = await Promise.all([live.app.eventLoop(), live.app.usage(), live.app.counters()]);
  } catch (error) {
    // The app process died or stopped answering the harness.
    live.failure = (error as Error).message;
    return;
  }
  if (result.non2xx > 0 || result.errors > 0) {
    live.failure = `${result.non2xx} non-2xx responses (${JSON.stringify(result.statuses)}) and ${result.errors} connection errors`;
    return;
  }
  if (result.responses === 0) {
    live.failure = 'no response at all during the run';
    return;
  }
  live.samples.push({ requestsPerSecond: result.requestsPerSecond, p50Ms: result.p50Ms, p99Ms: result.p99Ms, eventLoop, usage, counters });
}

/**
 * Seconds of load, not measured, right before each measured run: at most 2, never more than the
 * warm-up. Between its runs an app sits idle while the others are measured (half a minute and
 * more), and comes back cold: V8 re-optimised 160-odd functions of the full chain in the first two
 * seconds of a run after 20 s idle (`--trace-opt`), against 2-14 a second later in the run, and the
 * stub model's keep-alive sockets had timed out. A run is meant to measure the app under steady load.
 *
 * @example
 * rewarmBefore(10) // 2
 * rewarmBefore(0) // 0 (--smoke)
 */
export function rewarmBefore(warmupSeconds: number): number {
  return Math.min(2, warmupSeconds);
}

/**
 * Starts every configuration of a group (one framework) in its own process, checks each answers a
 * real request correctly, warms each up, then runs the repeats round-robin (all configurations
 * once, then again), so a slow minute on a shared machine hurts them alike; each run is preceded by
 * a short re-warm ({@link rewarmBefore}). Stops every app.
 *
 * @example
 * const measured = await measureGroup(expressConfigurations, settings, (line) => console.log(line));
 */
export async function measureGroup(configurations: readonly Configuration[], settings: MeasureSettings, log: (line: string) => void): Promise<Measurement[]> {
  const rewarmSeconds = rewarmBefore(settings.warmupSeconds);
  const done: Measurement[] = [];
  const live: Live[] = [];
  try {
    for (const configuration of configurations) {
      log(`  starting ${configuration.name}`);
      const started = await startAndCheck(configuration, settings);
      if ('app' in started) live.push(started);
      else {
        log(`  ${configuration.name} FAILED: ${started.failure}`);
        done.push(started);
      }
    }
    if (settings.warmupSeconds > 0) {
      for (const entry of live) await driveLoad(targetOf(entry.configuration, entry.app), { ...settings.shape, seconds: settings.warmupSeconds });
    }
    for (let round = 1; round <= settings.repeats; round++) {
      for (const entry of live.filter((e) => e.failure === undefined)) {
        if (rewarmSeconds > 0) await driveLoad(targetOf(entry.configuration, entry.app), { ...settings.shape, seconds: rewarmSeconds });
        await measureOnce(entry, settings);
        const last = entry.samples.at(-1);
        if (entry.failure !== undefined) log(`  ${entry.configuration.name} FAILED: ${entry.failure}`);
        else if (last !== undefined) log(`  ${entry.configuration.name} run ${round}/${settings.repeats}: ${Math.round(last.requestsPerSecond)} req/s, p99 ${last.p99Ms.toFixed(2)} ms`);
      }
    }
  } finally {
    await Promise.all(live.map((entry) => entry.app.stop().catch(() => undefined)));
  }
  for (const entry of live) done.push({ configuration: entry.configuration, samples: entry.samples, ...(entry.failure === undefined ? {} : { failure: entry.failure }) });
  return configurations.map((c) => done.find((m) => m.configuration === c)!);
}
