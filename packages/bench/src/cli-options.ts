// The command line of `pnpm bench`: options, their defaults, their validation, and the usage text.
import { fileURLToPath } from 'node:url';
import type { UpstreamMode } from './configuration.js';

/** Everything a run is told. */
export interface BenchOptions {
  /** Seconds per measured run. @default 10 (smoke: 1) */
  readonly duration: number;
  /** Seconds of warm-up per configuration before its first measured run. @default 3 (smoke: 0) */
  readonly warmup: number;
  /** Concurrent connections autocannon keeps open. @default 50 (smoke: 4) */
  readonly connections: number;
  /** Measured runs per configuration; the report shows their median. @default 3 (smoke: 1) */
  readonly repeats: number;
  /** Only configurations whose name matches this regular expression (their baselines are added). */
  readonly only: RegExp | undefined;
  /** Short run for CI: no speed targets read, fails only when a configuration errors. */
  readonly smoke: boolean;
  readonly upstream: UpstreamMode;
  /** Load `@tollgate/*` from their TypeScript sources instead of the built packages. */
  readonly source: boolean;
  readonly micro: boolean;
  readonly flood: boolean;
  /** Bad-key requests per second in the flood. @default 1000 */
  readonly floodRate: number;
  /** Valid requests per second while measuring latency with and without the flood. @default 200 */
  readonly floodValidRate: number;
  /** Where the report goes; undefined writes none. @default docs/benchmarks.md (smoke: none) */
  readonly out: string | undefined;
  readonly redisUrl: string;
  /** Write a CPU profile of every app process here. @default none */
  readonly cpuProfileDir: string | undefined;
  /** Microseconds between CPU profile samples. @default 1000 (Node's) */
  readonly cpuProfileIntervalUs: number | undefined;
  /** Extra Node (or V8) flags for every app process, bare and guarded alike. @default none */
  readonly nodeFlags: readonly string[];
  readonly help: boolean;
}

const defaultReport = fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url));

export const usage = `Usage: pnpm bench [options]

  --duration <s>         seconds per measured run (default 10; smoke 1)
  --warmup <s>           warm-up seconds per configuration (default 10: V8 is still optimising the
                         full chains' code after several seconds of load; smoke 0)
  --connections <n>      concurrent connections (default 50; smoke 4)
  --repeats <n>          measured runs per configuration, median reported (default 3; smoke 1)
  --only <regexp>        only configurations whose name matches, e.g. 'fastify|hono' or 'express/full$'
                         (the bare baselines they are compared with are always added)
  --smoke                a few seconds per configuration for CI: no targets, fails only on errors
  --upstream http|inline how the route reaches the stub model: loopback HTTP (default) or replayed in-process
  --source               load @tollgate/* from TypeScript sources instead of the built dist/
  --no-micro             skip the in-process microbenchmarks
  --no-flood             skip the bad-key flood
  --flood-rate <n>       bad-key requests per second in the flood (default 1000)
  --flood-valid-rate <n> valid requests per second while measuring their latency (default 200)
  --out <file>           where to write the report (default docs/benchmarks.md; smoke: nowhere)
  --no-out               write no report
  --redis-url <url>      Redis for the full-redis configurations (default REDIS_URL or redis://127.0.0.1:6379)
  --cpu-prof <dir>       write a V8 CPU profile of each app process into <dir> (slows the apps down)
  --cpu-prof-interval <µs> microseconds between profile samples (default Node's 1000; smaller sees more, costs more)
  --node-flags <flags>   extra Node/V8 flags for every app process, bare and guarded alike, space-separated,
                         e.g. --node-flags=--no-allocation-site-pretenuring (the report says they were used)
  --help                 this text`;

/** A command-line mistake; run.ts prints it with the usage. */
export class UsageError extends Error {}

function number(name: string, text: string | undefined, min: number, max: number, integer: boolean): number {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new UsageError(`${name} needs ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}; got ${JSON.stringify(text ?? null)}`);
  }
  return value;
}

/** One Node or V8 flag as the command line takes it: `--name` or `--name=value`, nothing to run. */
const nodeFlag = /^--[a-z][a-z0-9-]*(?:=[^\s]+)?$/i;

function nodeFlags(text: string | undefined): string[] {
  const flags = (text ?? '').split(/\s+/).filter((flag) => flag !== '');
  if (flags.length === 0) throw new UsageError('--node-flags needs at least one flag, e.g. --node-flags=--no-allocation-site-pretenuring');
  const bad = flags.find((flag) => !nodeFlag.test(flag));
  if (bad !== undefined) throw new UsageError(`--node-flags takes flags such as --max-semi-space-size=64; got ${JSON.stringify(bad)}`);
  return flags;
}

function pattern(text: string | undefined): RegExp {
  if (text === undefined || text === '') throw new UsageError('--only needs a pattern, e.g. --only express');
  try {
    return new RegExp(text, 'i');
  } catch (error) {
    throw new UsageError(`--only: not a regular expression: ${(error as Error).message}`);
  }
}

/**
 * Parses `argv` (without node and the script). Throws a UsageError naming the option at fault.
 *
 * @example
 * parseBenchOptions(['--smoke', '--only', 'express/(bare|api-key)$'], process.env)
 */
export function parseBenchOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const given = new Map<string, string | true>();
  const valued = new Set(['--duration', '--warmup', '--connections', '--repeats', '--only', '--upstream', '--flood-rate', '--flood-valid-rate', '--out', '--redis-url', '--cpu-prof', '--cpu-prof-interval', '--node-flags']);
  const flags = new Set(['--smoke', '--source', '--no-micro', '--no-flood', '--no-out', '--help']);
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flags.has(name)) given.set(name, true);
    else if (valued.has(name)) {
      const value = inline ?? argv[++index];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      given.set(name, value);
    } else throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
  }
  const text = (name: string): string | undefined => {
    const value = given.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const smoke = given.has('--smoke');
  const upstream = text('--upstream') ?? 'http';
  if (upstream !== 'http' && upstream !== 'inline') throw new UsageError(`--upstream must be http or inline; got ${JSON.stringify(upstream)}`);
  if (given.has('--out') && given.has('--no-out')) throw new UsageError('give --out or --no-out, not both');
  if (given.has('--cpu-prof-interval') && !given.has('--cpu-prof')) throw new UsageError('--cpu-prof-interval needs --cpu-prof <dir>');
  const out = given.has('--no-out') ? undefined : (text('--out') ?? (smoke ? undefined : defaultReport));
  return {
    duration: given.has('--duration') ? number('--duration', text('--duration'), 1, 3_600, false) : smoke ? 1 : 10,
    warmup: given.has('--warmup') ? number('--warmup', text('--warmup'), 0, 600, false) : smoke ? 0 : 10,
    connections: given.has('--connections') ? number('--connections', text('--connections'), 1, 10_000, true) : smoke ? 4 : 50,
    repeats: given.has('--repeats') ? number('--repeats', text('--repeats'), 1, 100, true) : smoke ? 1 : 3,
    only: given.has('--only') ? pattern(text('--only')) : undefined,
    smoke,
    upstream,
    source: given.has('--source'),
    micro: !given.has('--no-micro'),
    flood: !given.has('--no-flood'),
    floodRate: given.has('--flood-rate') ? number('--flood-rate', text('--flood-rate'), 1, 100_000, true) : 1_000,
    floodValidRate: given.has('--flood-valid-rate') ? number('--flood-valid-rate', text('--flood-valid-rate'), 1, 100_000, true) : 200,
    out,
    redisUrl: text('--redis-url') ?? env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    cpuProfileDir: text('--cpu-prof'),
    cpuProfileIntervalUs: given.has('--cpu-prof-interval') ? number('--cpu-prof-interval', text('--cpu-prof-interval'), 10, 100_000, true) : undefined,
    nodeFlags: given.has('--node-flags') ? nodeFlags(text('--node-flags')) : [],
    help: given.has('--help'),
  };
}
