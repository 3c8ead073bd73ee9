// From samples to report rows: medians of the repeats, the ratio to the baseline, Redis round trips per request.
import type { Configuration } from '../configuration.js';
import type { Measurement, Sample } from '../load/measure-configurations.js';
import { median } from '../load/statistics.js';
import { redisCounterNames } from '../app-process/redis-counter-names.js';

/** Redis traffic over all measured runs. */
export interface RedisPerRequest {
  /** Round trips per reservation: every command but the settlements, over the reserve calls (exactly 1 when one script reserves all limits). */
  readonly reserveRoundTrips: number;
  /** Reserve calls per request the route handled (1 but for requests still in flight at the ends of a run). */
  readonly reservesPerRequest: number;
  /** Every command per request handled, the settlement after the response included. */
  readonly commands: number;
}

/** One line of the table. */
export interface SummaryRow {
  readonly configuration: Configuration;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** p99 of the app's event-loop delay under load. */
  readonly loopP99Ms: number;
  /** CPU time of the app process (every thread, the stub model included) per request its route handled, in µs; NaN when none was counted. */
  readonly cpuUsPerRequest: number;
  /** Share of the run the app's main thread spent paused for garbage collection, in per cent. */
  readonly gcPercent: number;
  /** Throughput over the baseline's, both medians of this run; NaN when the baseline was not measured. */
  readonly ratio: number;
  readonly samples: number;
  readonly redis: RedisPerRequest | undefined;
}

/** A configuration that was selected but produced no row. */
export interface FailedConfiguration {
  readonly name: string;
  readonly reason: string;
}

function sum(samples: readonly Sample[], counter: string): number {
  return samples.reduce((total, sample) => total + (sample.counters[counter] ?? 0), 0);
}

function cpuPerRequest(sample: Sample): number {
  const requests = sample.counters['requests'] ?? 0;
  return requests === 0 ? Number.NaN : (sample.usage.cpuMs * 1000) / requests;
}

function redisPerRequest(samples: readonly Sample[]): RedisPerRequest | undefined {
  const commands = sum(samples, redisCounterNames.commands);
  const reserves = sum(samples, redisCounterNames.reserves);
  const requests = sum(samples, 'requests');
  if (commands === 0 || reserves === 0 || requests === 0) return undefined;
  return { reserveRoundTrips: (commands - sum(samples, redisCounterNames.settles)) / reserves, reservesPerRequest: reserves / requests, commands: commands / requests };
}

/**
 * Medians of each configuration's repeats and its throughput ratio to its baseline from the same run.
 * Configurations that failed (or have no samples) are listed apart, never as rows.
 *
 * @example
 * const { rows, failed } = summarise(measurements);
 */
export function summarise(measurements: readonly Measurement[]): { rows: SummaryRow[]; failed: FailedConfiguration[] } {
  const failed: FailedConfiguration[] = [];
  const medians = new Map<string, Omit<SummaryRow, 'ratio'>>();
  for (const { configuration, samples, failure } of measurements) {
    if (failure !== undefined || samples.length === 0) {
      failed.push({ name: configuration.name, reason: failure ?? 'no measured run' });
      continue;
    }
    medians.set(configuration.name, {
      configuration,
      requestsPerSecond: median(samples.map((s) => s.requestsPerSecond)),
      p50Ms: median(samples.map((s) => s.p50Ms)),
      p99Ms: median(samples.map((s) => s.p99Ms)),
      loopP99Ms: median(samples.map((s) => s.eventLoop.p99Ms)),
      cpuUsPerRequest: median(samples.map(cpuPerRequest)),
      gcPercent: median(samples.map((s) => (s.usage.wallMs > 0 ? (100 * s.usage.gcMs) / s.usage.wallMs : Number.NaN))),
      samples: samples.length,
      redis: redisPerRequest(samples),
    });
  }
  const rows = [...medians.values()].map((row) => {
    const baseline = medians.get(row.configuration.baseline);
    return { ...row, ratio: baseline === undefined ? Number.NaN : row.requestsPerSecond / baseline.requestsPerSecond };
  });
  return { rows, failed };
}
