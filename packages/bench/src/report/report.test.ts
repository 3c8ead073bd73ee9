// From samples to the report: medians and ratios of one run, targets as PASS/MISS, the table and the chart.
import { describe, expect, it } from 'vitest';
import type { Configuration } from '../configuration.js';
import { allConfigurations } from '../configurations/index.js';
import type { FloodResult } from '../load/bad-key-flood.js';
import type { LoadResult } from '../load/drive-load.js';
import type { Measurement, Sample } from '../load/measure-configurations.js';
import { parseBenchOptions } from '../cli-options.js';
import { benchmarksMarkdown } from './benchmarks-doc.js';
import { ratioChart } from './ratio-chart.js';
import { terminalReport, type RunReport } from './run-report.js';
import { markdownTable } from './result-table.js';
import { summarise, type SummaryRow } from './summary-rows.js';
import { targetLines } from './targets.js';

const configuration = (name: string): Configuration => {
  const found = allConfigurations.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no configuration named ${name}`);
  return found;
};
const loop = { p50Ms: 1, p99Ms: 4, maxMs: 9, meanMs: 1.5 };
const usage = { cpuMs: 4_000, gcMs: 250, wallMs: 5_000 };
const sample = (requestsPerSecond: number, counters: Record<string, number> = {}, used = usage): Sample => ({ requestsPerSecond, p50Ms: 2, p99Ms: 8, eventLoop: loop, usage: used, counters });
const measured = (name: string, ...rates: number[]): Measurement => ({ configuration: configuration(name), samples: rates.map((rate) => sample(rate)) });

/** Rows as summarise makes them, from one median rate per configuration. */
function rows(rates: Record<string, number>, extra: Measurement[] = []): SummaryRow[] {
  return summarise([...Object.entries(rates).map(([name, rate]) => measured(name, rate)), ...extra]).rows;
}

describe('summarise', () => {
  it('reports the median of the repeats and the ratio to the same run’s baseline', () => {
    const { rows: summary, failed } = summarise([measured('fastify/bare', 9_000, 10_000, 11_000), measured('fastify/api-key', 8_000, 9_500, 7_000)]);
    expect(failed).toEqual([]);
    expect(summary.map((r) => [r.configuration.name, r.requestsPerSecond, r.ratio, r.samples])).toEqual([
      ['fastify/bare', 10_000, 1, 3],
      ['fastify/api-key', 8_000, 0.8, 3],
    ]);
    expect(summary[0]!.loopP99Ms).toBe(4);
  });

  it('lists failures apart, and gives no ratio when the baseline has no result', () => {
    const failing: Measurement = { configuration: configuration('koa/bare'), samples: [sample(5_000)], failure: '3 non-2xx responses' };
    const { rows: summary, failed } = summarise([failing, measured('koa/api-key', 4_000), { configuration: configuration('hono/bare'), samples: [] }]);
    expect(failed).toEqual([
      { name: 'koa/bare', reason: '3 non-2xx responses' },
      { name: 'hono/bare', reason: 'no measured run' },
    ]);
    expect(summary).toHaveLength(1);
    expect(summary[0]!.ratio).toBeNaN();
  });

  it('gives the app’s CPU per handled request and its share of time in GC, medians of the repeats', () => {
    const runs = [
      sample(1_000, { requests: 5_000 }, { cpuMs: 4_000, gcMs: 250, wallMs: 5_000 }),
      sample(1_000, { requests: 4_000 }, { cpuMs: 4_000, gcMs: 500, wallMs: 5_000 }),
      sample(1_000, { requests: 8_000 }, { cpuMs: 4_000, gcMs: 100, wallMs: 5_000 }),
    ];
    const [row] = summarise([{ configuration: configuration('hono/full'), samples: runs }]).rows;
    expect(row!.cpuUsPerRequest).toBe(800);
    expect(row!.gcPercent).toBe(5);
    expect(markdownTable([row!])).toContain('| 800 | 5.0 |');
    const [uncounted] = summarise([{ configuration: configuration('hono/bare'), samples: [sample(1_000)] }]).rows;
    expect(uncounted!.cpuUsPerRequest).toBeNaN();
    expect(markdownTable([uncounted!])).toContain('| n/a | 5.0 |');
  });

  it('counts Redis round trips per request from the app’s counters, settlement apart', () => {
    const counters = { requests: 1_000, redis_commands: 2_000, redis_settle_calls: 1_000, redis_reserve_calls: 1_000 };
    const redis = { configuration: configuration('express/full-redis'), samples: [sample(100, counters), sample(100, counters)] };
    const [row] = summarise([redis]).rows;
    expect(row!.redis).toEqual({ reserveRoundTrips: 1, reservesPerRequest: 1, commands: 2 });
    expect(summarise([measured('express/full', 100)]).rows[0]!.redis).toBeUndefined();
  });
});

describe('targetLines', () => {
  const passing = { 'fastify/bare': 10_000, 'fastify/full': 8_000, 'hono/bare': 10_000, 'hono/full': 7_600, 'express/bare': 5_000, 'express/full': 4_500, 'express/peer-passport': 3_000, 'express/peer-express-jwt': 2_000, 'fastify/peer-fastify-jwt': 5_000 };

  it('passes a run that meets the ratios, computed from that run alone', () => {
    const lines = targetLines(rows({ ...passing, 'express/full-jwt': 3_000, 'fastify/full-jwt': 6_000, 'hono/full-jwt': 6_000, 'koa/bare': 100, 'koa/full-jwt': 60 }), undefined);
    expect(lines.filter((l) => l.verdict === 'MISS')).toEqual([]);
    expect(lines.find((l) => l.text.startsWith('full chain, memory store: hono/full'))).toEqual({ verdict: 'PASS', text: 'full chain, memory store: hono/full keeps 76 % of hono/bare (target ≥ 75 %)' });
    expect(lines.find((l) => l.text.includes('express/peer-passport'))).toEqual({ verdict: 'PASS', text: 'full chain vs hand-built peer: express/full is 1.50x express/peer-passport (target ≥ 1.50x)' });
    expect(lines.find((l) => l.text.includes('koa/full-jwt'))?.verdict).toBe('PASS');
    expect(lines.find((l) => l.text.startsWith('bad-key flood'))).toEqual({ verdict: 'NOT MEASURED', text: 'bad-key flood: not run' });
  });

  it('misses when a ratio falls short, and says what was not measured', () => {
    const lines = targetLines(rows({ ...passing, 'hono/full': 7_400, 'express/peer-passport': 3_100, 'express/full-jwt': 2_950 }), undefined);
    expect(lines.find((l) => l.text.includes('hono/full keeps'))?.verdict).toBe('MISS');
    expect(lines.find((l) => l.text.includes('express/peer-passport'))?.verdict).toBe('MISS');
    expect(lines.find((l) => l.text.includes('express/full-jwt'))).toEqual({ verdict: 'MISS', text: 'JWT full chain: express/full-jwt keeps 59 % of express/bare (target ≥ 60 %)' });
    expect(lines.find((l) => l.text.includes('koa/full-jwt'))).toEqual({ verdict: 'NOT MEASURED', text: 'JWT full chain: koa/full-jwt or its baseline has no result in this run' });
    expect(lines.find((l) => l.text.startsWith('Redis'))?.verdict).toBe('NOT MEASURED');
  });

  it('says on a missed ratio what CPU a request it leaves tollgate, from the two rows’ CPU counts', () => {
    const cpu = (name: string, rate: number, cpuUsPerRequest: number): Measurement => ({
      configuration: configuration(name),
      samples: [sample(rate, { requests: rate * 5 }, { cpuMs: (rate * 5 * cpuUsPerRequest) / 1000, gcMs: 0, wallMs: 5_000 })],
    });
    const lines = targetLines(summarise([cpu('fastify/bare', 10_000, 200), cpu('fastify/full', 5_000, 400)]).rows, undefined);
    expect(lines.find((l) => l.text.includes('fastify/full keeps'))).toEqual({
      verdict: 'MISS',
      text: 'full chain, memory store: fastify/full keeps 50 % of fastify/bare (target ≥ 75 %; at 200 µs of CPU a bare request, that leaves tollgate about 67 µs a request, and it took 200)',
    });
  });

  it('says what 1.5x a peer comes to against the bare route, and when that is out of any middleware’s reach', () => {
    const lines = targetLines(rows({ 'express/bare': 5_000, 'express/full': 4_500, 'express/peer-passport': 3_500, 'express/peer-express-jwt': 4_000 }), undefined);
    expect(lines.find((l) => l.text.includes('express/peer-passport'))).toEqual({
      verdict: 'MISS',
      text: 'full chain vs hand-built peer: express/full is 1.29x express/peer-passport (target ≥ 1.50x; express/peer-passport keeps 70 % of express/bare, so 1.50x it is 105 % of that bare route, more than the bare route itself: out of reach of any middleware that does work)',
    });
    expect(lines.find((l) => l.text.includes('express/peer-express-jwt'))?.text).toBe(
      'full chain vs hand-built peer: express/full is 1.13x express/peer-express-jwt (target ≥ 1.50x; express/peer-express-jwt keeps 80 % of express/bare, so 1.50x it is 120 % of that bare route, more than the bare route itself: out of reach of any middleware that does work)',
    );
    const reachable = targetLines(rows({ 'express/bare': 5_000, 'express/full': 2_500, 'express/peer-express-jwt': 2_000 }), undefined);
    expect(reachable.find((l) => l.text.includes('express/peer-express-jwt'))?.text).toBe(
      'full chain vs hand-built peer: express/full is 1.25x express/peer-express-jwt (target ≥ 1.50x; express/peer-express-jwt keeps 40 % of express/bare, so 1.50x it is 60 % of that bare route)',
    );
  });

  it('reads the Redis round trips and the flood’s p99 ratio', () => {
    const redis = (trips: number): Measurement => ({
      configuration: configuration('fastify/full-redis'),
      samples: [sample(100, { requests: 100, redis_commands: 100 * trips + 100, redis_reserve_calls: 100, redis_settle_calls: 100 })],
    });
    const phase = (p99Ms: number) => ({ valid: { p99Ms, p50Ms: 1 } as LoadResult, inside: { count: 100, p50Ms: 0.5, p99Ms: p99Ms / 2 }, eventLoop: loop });
    const flood = (quiet: number, flooded: number, control = quiet): FloodResult => ({
      settings: { seconds: 10, validRate: 200, floodRate: 1000 },
      quiet: phase(quiet),
      control: phase(control),
      flooded: phase(flooded),
      controlFlood: {} as LoadResult,
      flood: {} as LoadResult,
      p99Ratio: flooded / quiet,
      insideP99Ratio: flooded / quiet,
      controlP99Ratio: flooded / control,
    });
    const good = targetLines(rows({}, [redis(1)]), flood(2, 4, 3.2));
    expect(good.find((l) => l.text.startsWith('Redis'))?.verdict).toBe('PASS');
    expect(good.find((l) => l.text.startsWith('bad-key flood'))).toEqual({ verdict: 'PASS', text: 'bad-key flood: p99 of valid requests 4.00 ms with 1000 bad keys/s vs 2.00 ms without = 2.00x (target ≤ 2.00x; read at the load generator. Inside the app: 2.00 ms vs 1.00 ms = 2.00x. Control, the same rate of keys refused before argon2: p99 3.20 ms, so argon2\'s own part is 1.25x)' });
    const bad = targetLines(rows({}, [redis(2)]), flood(2, 4.2));
    expect(bad.find((l) => l.text.startsWith('Redis'))?.text).toContain('makes 2.00 round trip(s) per reservation of its 5 limits and 1.00 reservation(s) per request');
    expect(bad.find((l) => l.text.startsWith('Redis'))?.verdict).toBe('MISS');
    expect(bad.find((l) => l.text.startsWith('bad-key flood'))?.verdict).toBe('MISS');
    expect(bad.find((l) => l.text.startsWith('bad-key flood'))?.text).not.toContain('the control alone');
    // A control over 2x on its own: any flood would miss, whatever argon2 cost.
    const crowded = targetLines([], flood(2, 7, 5));
    expect(crowded.find((l) => l.text.startsWith('bad-key flood'))?.text).toMatch(/argon2's own part is 1\.40x; the control alone is 2\.50x: on this machine 1000 extra requests a second that never reach argon2 already take the p99 past 2x\)$/);
    expect(targetLines([], { failure: 'the flood app did not start' }).find((l) => l.text.startsWith('bad-key flood'))?.verdict).toBe('NOT MEASURED');
  });
});

describe('the table and the chart', () => {
  const summary = rows({ 'express/bare': 5_000, 'express/api-key': 4_000, 'fastify/bare': 9_000 }, [{ configuration: configuration('koa/api-key'), samples: [sample(3_000)] }]);

  it('renders one Markdown row per configuration with its throughput and ratio', () => {
    const table = markdownTable(summary).split('\n');
    expect(table[0]).toBe('| configuration | req/s | vs bare | p50 ms | p99 ms | loop p99 ms | CPU µs/req | GC % | what runs |');
    expect(table).toHaveLength(2 + summary.length);
    expect(table[3]).toMatch(/^\| express\/api-key \| 4,000 \| 80 % \| 2\.00 \| 8\.00 \| 4\.0 \| n\/a \| 5\.0 \| tollgate: API key only/);
    expect(table.at(-1)).toMatch(/^\| koa\/api-key \| 3,000 \| n\/a \|/);
  });

  it('draws one bar per configuration that has a ratio, labelled with the ratio', () => {
    const svg = ratioChart(summary, 'Throughput <vs> bare');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('Throughput &lt;vs&gt; bare');
    expect(svg.match(/<rect x="230"/g)).toHaveLength(3);
    expect(svg).toContain('>express/api-key</text>');
    expect(svg).toContain('>80 %</text>');
    expect(svg).not.toContain('koa/api-key');
  });
});

describe('the report of a run with extra Node flags', () => {
  const report = (argv: string[]): RunReport => ({
    options: parseBenchOptions(['--no-out', ...argv], {}),
    command: ['pnpm bench', ...argv].join(' '),
    startedAt: new Date('2026-11-24T07:00:00Z'),
    machine: { cpu: 'test CPU', cores: 2, memoryGiB: 4, os: 'linux', node: 'v20.20.2', loadAverage: 0.5 },
    rows: rows({ 'fastify/bare': 10_000, 'fastify/full': 6_000 }),
    failed: [],
    missing: [],
    targets: [],
    flood: undefined,
    micro: undefined,
  });

  it('says in the page and the terminal that every app process ran with them', () => {
    const flagged = report(['--node-flags=--no-allocation-site-pretenuring']);
    expect(benchmarksMarkdown(flagged, 'chart.svg')).toContain('- Node flags: every app process (bare, peers and tollgate alike) ran with `--no-allocation-site-pretenuring`; the ratios are not those of a default Node.');
    expect(terminalReport(flagged)).toContain('node flags of every app process: --no-allocation-site-pretenuring (not a default Node)');
    expect(benchmarksMarkdown(report([]), 'chart.svg')).not.toContain('Node flags:');
    expect(terminalReport(report([]))).not.toContain('node flags');
  });
});
