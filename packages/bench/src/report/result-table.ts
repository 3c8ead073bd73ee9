// The results table, as aligned text for the terminal and as Markdown for docs/benchmarks.md.
import type { SummaryRow } from './summary-rows.js';

const headings = ['configuration', 'req/s', 'vs bare', 'p50 ms', 'p99 ms', 'loop p99 ms', 'CPU µs/req', 'GC %', 'what runs'] as const;

const fixed = (value: number, digits: number): string => (Number.isNaN(value) ? 'n/a' : value.toFixed(digits));

function cells(row: SummaryRow): string[] {
  const redis = row.redis === undefined ? '' : `; Redis: ${row.redis.reserveRoundTrips.toFixed(2)} round trip(s) per reservation, ${row.redis.commands.toFixed(2)} commands per request`;
  return [
    row.configuration.name,
    Math.round(row.requestsPerSecond).toLocaleString('en-US'),
    Number.isNaN(row.ratio) ? 'n/a' : `${(row.ratio * 100).toFixed(0)} %`,
    row.p50Ms.toFixed(2),
    row.p99Ms.toFixed(2),
    row.loopP99Ms.toFixed(1),
    fixed(row.cpuUsPerRequest, 0),
    fixed(row.gcPercent, 1),
    row.configuration.description + redis,
  ];
}

/**
 * Aligned columns for a terminal.
 *
 * @example
 * console.log(textTable(rows));
 */
export function textTable(rows: readonly SummaryRow[]): string {
  const lines = [[...headings], ...rows.map(cells)];
  const widths = headings.map((_, column) => (column === headings.length - 1 ? 0 : Math.max(...lines.map((line) => line[column]!.length))));
  return lines
    .map((line) => line.map((cell, column) => (column === 0 || column === headings.length - 1 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd())
    .join('\n');
}

/**
 * A Markdown table (numbers right-aligned).
 *
 * @example
 * const markdown = markdownTable(rows);
 */
export function markdownTable(rows: readonly SummaryRow[]): string {
  const escape = (cell: string) => cell.replaceAll('|', '\\|');
  const align = headings.map((_, column) => (column === 0 || column === headings.length - 1 ? ':--' : '--:'));
  return [`| ${headings.join(' | ')} |`, `| ${align.join(' | ')} |`, ...rows.map((row) => `| ${cells(row).map(escape).join(' | ')} |`)].join('\n');
}
