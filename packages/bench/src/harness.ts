// One run of the harness: pick the configurations whose parts exist, measure them by framework, then the flood and the microbenchmarks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions } from './cli-options.js';
import type { Configuration, StartSettings } from './configuration.js';
import { allConfigurations } from './configurations/index.js';
import { adapterPart, frameworks } from './configurations/define-configuration.js';
import { measureFlood, type FloodOutcome } from './load/bad-key-flood.js';
import { measureGroup, type Measurement } from './load/measure-configurations.js';
import { exportOf } from './parts.js';
import { writeBenchmarksDoc } from './report/benchmarks-doc.js';
import { describeMachine } from './report/machine.js';
import { terminalReport, type MissingConfiguration, type RunReport } from './report/run-report.js';
import { summarise } from './report/summary-rows.js';
import { targetLines } from './report/targets.js';
import type { Part } from './configuration.js';

/** The configurations `--only` matches, plus the baselines they are compared with. */
export function selectConfigurations(all: readonly Configuration[], only: RegExp | undefined): Configuration[] {
  if (only === undefined) return [...all];
  const matched = all.filter((c) => only.test(c.name));
  const wanted = new Set([...matched.map((c) => c.name), ...matched.map((c) => c.baseline)]);
  return all.filter((c) => wanted.has(c.name));
}

async function missingParts(parts: readonly Part[], settings: Pick<StartSettings, 'redisUrl'>): Promise<string[]> {
  const present = await Promise.all(parts.map((part) => part.present(settings)));
  return parts.filter((_, index) => !present[index]).map((part) => part.label);
}

function quoted(arg: string): string {
  return /^[\w./:=@,+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/**
 * Runs everything `options` asks for and prints the report; writes docs/benchmarks.md (or `--out`)
 * unless told not to. Configurations whose parts are missing are listed, never faked.
 *
 * @example
 * const report = await runBench(parseBenchOptions(['--smoke'], process.env), ['--smoke'], console.log);
 */
export async function runBench(options: BenchOptions, argv: readonly string[], log: (line: string) => void): Promise<RunReport> {
  const startedAt = new Date();
  const machine = describeMachine();
  const workDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
  const settings: StartSettings = { upstream: options.upstream, workDir, redisUrl: options.redisUrl, source: options.source, cpuProfileDir: options.cpuProfileDir, cpuProfileIntervalUs: options.cpuProfileIntervalUs, nodeFlags: options.nodeFlags };
  try {
    const available: Configuration[] = [];
    const missing: MissingConfiguration[] = [];
    const selected = selectConfigurations(allConfigurations, options.only);
    if (selected.length === 0) log(`--only ${String(options.only)} matches no configuration; the names are ${allConfigurations.map((c) => c.name).join(', ')}`);
    for (const configuration of selected) {
      const absent = await missingParts(configuration.parts, settings);
      if (absent.length === 0) available.push(configuration);
      else missing.push({ name: configuration.name, missing: absent });
    }
    const measurements: Measurement[] = [];
    const shape = { seconds: options.duration, connections: options.connections };
    for (const framework of frameworks) {
      const group = available.filter((c) => c.framework === framework);
      if (group.length === 0) continue;
      log(`${framework}: ${group.map((c) => c.name).join(', ')}`);
      measurements.push(...(await measureGroup(group, { ...settings, shape, warmupSeconds: options.warmup, repeats: options.repeats }, log)));
    }
    const { rows, failed } = summarise(measurements);

    let flood: FloodOutcome | undefined;
    if (options.flood) {
      const absent = await missingParts([adapterPart('express'), exportOf('@tollgate/core', 'apiKey')], settings);
      if (absent.length > 0) missing.push({ name: 'bad-key flood', missing: absent });
      else {
        log('bad-key flood: express + API keys');
        flood = await measureFlood({ ...settings, seconds: options.duration, warmupSeconds: options.warmup, validRate: options.floodValidRate, floodRate: options.floodRate }).catch(
          (error: unknown): FloodOutcome => ({ failure: (error as Error).message }),
        );
      }
    }
    let micro;
    if (options.micro) {
      log('microbenchmarks');
      const { runMicrobenchmarks } = await import('./micro/run-microbenchmarks.js');
      micro = await runMicrobenchmarks({ timeMs: options.smoke ? 50 : 1_000, redisUrl: options.redisUrl }, log);
    }
    const report: RunReport = {
      options,
      command: ['pnpm bench', ...argv.map(quoted)].join(' '),
      startedAt,
      machine,
      rows,
      failed,
      missing,
      targets: options.smoke ? [] : targetLines(rows, flood),
      flood,
      micro,
    };
    log(terminalReport(report));
    if (options.out !== undefined) {
      const written = writeBenchmarksDoc(report, options.out);
      log(`\nwrote ${written.page} and ${written.chart}`);
    }
    return report;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
