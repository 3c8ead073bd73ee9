// Runs the in-process microbenchmarks with tinybench, one task at a time, and summarises each.
import { Bench } from 'tinybench';
import { credentialTasks } from './credential-tasks.js';
import { fullChainParts } from '../parts.js';
import type { MicroGroup, MicroTask } from './micro-task.js';
import { policyTasks } from './policy-tasks.js';
import { recordTasks } from './record-tasks.js';
import { reservationTasks } from './reservation-tasks.js';

/** One task's timing. */
export interface MicroResult {
  readonly name: string;
  readonly opsPerSecond: number;
  readonly medianUs: number;
  readonly meanUs: number;
  readonly p99Us: number;
  readonly samples: number;
  readonly note: string | undefined;
}

/** Every task's timing, what could not be measured and why, and what failed. */
export interface MicroReport {
  readonly results: readonly MicroResult[];
  readonly skipped: readonly string[];
  /** Groups or tasks that threw: a bug in tollgate or in the harness, which fails the run. */
  readonly failures: readonly string[];
}

async function time(task: MicroTask, timeMs: number): Promise<MicroResult> {
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs / 4), throws: true });
  bench.add(task.name, task.run);
  const noteAfter = task.observe?.();
  await bench.run();
  const result = bench.tasks[0]?.result;
  if (result === undefined || (result.state !== 'completed' && result.state !== 'aborted-with-statistics')) {
    throw new Error(`microbenchmark "${task.name}" did not complete (${result?.state ?? 'no result'})`);
  }
  return {
    name: task.name,
    opsPerSecond: result.throughput.mean,
    medianUs: result.latency.p50 * 1_000,
    meanUs: result.latency.mean * 1_000,
    p99Us: result.latency.p99 * 1_000,
    samples: result.latency.samplesCount ?? 0,
    note: noteAfter?.(),
  };
}

/** The whole-request tasks, when every part of the full chain exists (imported only then). */
async function wholeChainTasks(redisUrl: string): Promise<MicroGroup> {
  const parts = fullChainParts();
  const present = await Promise.all(parts.map((part) => part.present({ redisUrl })));
  const absent = parts.filter((_, index) => !present[index]).map((part) => part.label);
  if (absent.length > 0) return { tasks: [], skipped: [`whole requests through the full chain (needs ${absent.join(', ')})`] };
  return (await import('./chain-tasks.js')).chainTasks();
}

/**
 * Builds each group (keys, tokens, policies, stores, records), times its tasks for `timeMs` each,
 * and closes it.
 *
 * @example
 * const report = await runMicrobenchmarks({ timeMs: 1000, redisUrl: 'redis://127.0.0.1:6379' }, console.log);
 */
export async function runMicrobenchmarks(options: { timeMs: number; redisUrl: string }, log: (line: string) => void): Promise<MicroReport> {
  const results: MicroResult[] = [];
  const skipped: string[] = [];
  const failures: string[] = [];
  const groups: Array<[string, () => Promise<MicroGroup>]> = [
    ['credentials', credentialTasks],
    ['policies', policyTasks],
    ['reservations', () => reservationTasks(options.redisUrl)],
    ['records', recordTasks],
    ['chains', () => wholeChainTasks(options.redisUrl)],
  ];
  for (const [label, build] of groups) {
    let group: MicroGroup;
    try {
      group = await build();
    } catch (error) {
      failures.push(`${label}: ${(error as Error).message}`);
      continue;
    }
    skipped.push(...group.skipped);
    for (const task of group.tasks) {
      try {
        const result = await time(task, options.timeMs);
        log(`  ${result.name}: ${result.medianUs.toFixed(2)} µs median${result.note === undefined ? '' : `, ${result.note}`}`);
        results.push(result);
      } catch (error) {
        failures.push(`${task.name}: ${(error as Error).message}`);
      }
    }
    await group.close?.();
  }
  return { results, skipped, failures };
}
