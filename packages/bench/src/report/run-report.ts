// Everything one run found, and how the terminal shows it.
import type { BenchOptions } from '../cli-options.js';
import type { FloodOutcome, FloodPhase } from '../load/bad-key-flood.js';
import type { MicroReport } from '../micro/run-microbenchmarks.js';
import { machineLine, type MachineDescription } from './machine.js';
import { textTable } from './result-table.js';
import type { FailedConfiguration, SummaryRow } from './summary-rows.js';
import type { TargetLine } from './targets.js';

/** A configuration left out because a part it needs does not exist (yet). */
export interface MissingConfiguration {
  readonly name: string;
  readonly missing: readonly string[];
}

/** The outcome of one `pnpm bench`. */
export interface RunReport {
  readonly options: BenchOptions;
  /** The command as typed, for the report. */
  readonly command: string;
  readonly startedAt: Date;
  readonly machine: MachineDescription;
  readonly rows: readonly SummaryRow[];
  readonly failed: readonly FailedConfiguration[];
  readonly missing: readonly MissingConfiguration[];
  /** Empty in a smoke run (no targets are read there). */
  readonly targets: readonly TargetLine[];
  readonly flood: FloodOutcome | undefined;
  readonly micro: MicroReport | undefined;
}

function microLines(micro: MicroReport): string[] {
  const width = Math.max(...micro.results.map((r) => r.name.length), 10);
  return [
    ...micro.results.map((r) => `  ${r.name.padEnd(width)}  ${r.medianUs.toFixed(2).padStart(9)} µs median  ${r.meanUs.toFixed(2).padStart(9)} µs mean  ${r.p99Us.toFixed(2).padStart(9)} µs p99${r.note === undefined ? '' : `  (${r.note})`}`),
    ...micro.skipped.map((s) => `  not measured: ${s}`),
    ...micro.failures.map((f) => `  FAILED: ${f}`),
  ];
}

function floodLines(flood: FloodOutcome): string[] {
  if (!('quiet' in flood)) return [`  FAILED: ${flood.failure}`];
  if (flood.failure !== undefined) return [`  FAILED: ${flood.failure}`];
  const { quiet, control, flooded, flood: bad, settings } = flood;
  const phaseLine = (what: string, phase: FloodPhase): string =>
    `  ${what}: p50 ${phase.valid.p50Ms.toFixed(2)} ms, p99 ${phase.valid.p99Ms.toFixed(2)} ms (inside the app ${phase.inside.p99Ms.toFixed(2)} ms), event-loop p99 ${phase.eventLoop.p99Ms.toFixed(1)} ms`;
  return [
    `  valid requests at ${settings.validRate}/s, ${settings.seconds} s per phase`,
    phaseLine('without a flood', quiet),
    phaseLine(`with ${settings.floodRate} unknown key ids/s (control, refused before argon2)`, control),
    phaseLine(`with ${settings.floodRate} bad keys/s`, flooded),
    `  the flood was answered at ${Math.round(bad.responses / settings.seconds)}/s: ${JSON.stringify(bad.statuses)} (401 verified and wrong, 503 shed by the argon2 queue, 429 throttled)`,
  ];
}

/**
 * The report as terminal text: machine, table, targets, flood, microbenchmarks, and what is missing.
 *
 * @example
 * console.log(terminalReport(report));
 */
export function terminalReport(report: RunReport): string {
  const lines = ['', `tollgate benchmarks — ${machineLine(report.machine)}`, `command: ${report.command}`];
  if (report.options.nodeFlags.length > 0) lines.push(`node flags of every app process: ${report.options.nodeFlags.join(' ')} (not a default Node)`);
  lines.push('');
  lines.push(report.rows.length > 0 ? textTable(report.rows) : '(no configuration measured)');
  if (report.targets.length > 0) lines.push('', 'Targets (from this run):', ...report.targets.map((t) => `  ${t.verdict.padEnd(12)} ${t.text}`));
  else if (report.options.smoke) lines.push('', 'Smoke run: targets are not read.');
  if (report.flood !== undefined) lines.push('', 'Bad-key flood (Express, API keys):', ...floodLines(report.flood));
  if (report.micro !== undefined) lines.push('', 'Microbenchmarks (in-process, tinybench):', ...microLines(report.micro));
  if (report.missing.length > 0) lines.push('', 'Not measured, parts missing:', ...report.missing.map((m) => `  ${m.name}: needs ${m.missing.join(', ')}`));
  if (report.failed.length > 0) lines.push('', 'FAILED:', ...report.failed.map((f) => `  ${f.name}: ${f.reason}`));
  return lines.join('\n');
}
