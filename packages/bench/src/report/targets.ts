// The targets, read from the ratios of the same run: PASS, MISS, or not measured (and why).
import type { FloodOutcome } from '../load/bad-key-flood.js';
import type { SummaryRow } from './summary-rows.js';

/** One target's verdict. */
export interface TargetLine {
  readonly verdict: 'PASS' | 'MISS' | 'NOT MEASURED';
  readonly text: string;
}

const percent = (ratio: number): string => `${(ratio * 100).toFixed(0)} %`;

/**
 * What a missed throughput ratio leaves tollgate, in CPU a request: an app that is CPU-bound keeps
 * `minimum` of its bare throughput while tollgate adds at most bare × (1 / minimum − 1) of CPU to
 * each request. Empty when either row has no CPU count.
 */
function cpuBudget(row: SummaryRow, bare: SummaryRow | undefined, minimum: number): string {
  if (bare === undefined || !Number.isFinite(bare.cpuUsPerRequest) || !Number.isFinite(row.cpuUsPerRequest)) return '';
  const budget = bare.cpuUsPerRequest * (1 / minimum - 1);
  const spent = row.cpuUsPerRequest - bare.cpuUsPerRequest;
  return `; at ${bare.cpuUsPerRequest.toFixed(0)} µs of CPU a bare request, that leaves tollgate about ${budget.toFixed(0)} µs a request, and it took ${spent.toFixed(0)}`;
}

function ratioTarget(rows: ReadonlyMap<string, SummaryRow>, name: string, minimum: number, what: string): TargetLine {
  const row = rows.get(name);
  if (row === undefined || Number.isNaN(row.ratio)) return { verdict: 'NOT MEASURED', text: `${what}: ${name} or its baseline has no result in this run` };
  const baseline = row.configuration.baseline;
  const pass = row.ratio >= minimum;
  const needs = pass ? '' : cpuBudget(row, rows.get(baseline), minimum);
  return { verdict: pass ? 'PASS' : 'MISS', text: `${what}: ${name} keeps ${percent(row.ratio)} of ${baseline} (target ≥ ${percent(minimum)}${needs})` };
}

function peerTarget(rows: ReadonlyMap<string, SummaryRow>, full: string, peer: string): TargetLine {
  const ours = rows.get(full);
  const theirs = rows.get(peer);
  const what = `full chain vs hand-built peer`;
  if (ours === undefined || theirs === undefined) return { verdict: 'NOT MEASURED', text: `${what}: ${ours === undefined ? full : peer} has no result in this run` };
  const times = ours.requestsPerSecond / theirs.requestsPerSecond;
  const pass = times >= 1.5;
  return { verdict: pass ? 'PASS' : 'MISS', text: `${what}: ${full} is ${times.toFixed(2)}x ${peer} (target ≥ 1.50x${pass ? '' : peerNeeds(theirs)})` };
}

/** What 1.5x a peer comes to against the peer's bare route: at 100 % or more, no middleware that does any work reaches it. */
function peerNeeds(peer: SummaryRow): string {
  if (Number.isNaN(peer.ratio)) return '';
  const needed = 1.5 * peer.ratio;
  const reach = needed >= 1 ? ', more than the bare route itself: out of reach of any middleware that does work' : '';
  return `; ${peer.configuration.name} keeps ${percent(peer.ratio)} of ${peer.configuration.baseline}, so 1.50x it is ${percent(needed)} of that bare route${reach}`;
}

function redisTargets(rows: readonly SummaryRow[]): TargetLine[] {
  const redisRows = rows.filter((row) => row.configuration.variant === 'full-redis');
  if (redisRows.length === 0) return [{ verdict: 'NOT MEASURED', text: 'Redis: one round trip per request: no full-redis configuration has a result in this run' }];
  return redisRows.map((row) => {
    const redis = row.redis;
    if (redis === undefined) return { verdict: 'NOT MEASURED', text: `Redis: ${row.configuration.name} counted no Redis command` };
    // One reservation per request (up to the requests in flight when a run starts or ends), one round trip each.
    const verdict = redis.reserveRoundTrips <= 1.001 && Math.abs(redis.reservesPerRequest - 1) <= 0.02 ? 'PASS' : 'MISS';
    return {
      verdict,
      text: `Redis: ${row.configuration.name} makes ${redis.reserveRoundTrips.toFixed(2)} round trip(s) per reservation of its 5 limits and ${redis.reservesPerRequest.toFixed(2)} reservation(s) per request (target 1 and 1; ${redis.commands.toFixed(2)} commands per request with the settlement after the response)`,
    };
  });
}

function floodTarget(flood: FloodOutcome | undefined): TargetLine {
  if (flood === undefined) return { verdict: 'NOT MEASURED', text: 'bad-key flood: not run' };
  if (!('quiet' in flood) || flood.failure !== undefined) return { verdict: 'NOT MEASURED', text: `bad-key flood: failed (${flood.failure})` };
  const { quiet, control, flooded, settings } = flood;
  const pass = flood.p99Ratio <= 2;
  // The control's requests never reach argon2: when they alone pass the target, so would any flood.
  const controlRatio = control.valid.p99Ms / quiet.valid.p99Ms;
  const controlAlone = !pass && controlRatio > 2 ? `; the control alone is ${controlRatio.toFixed(2)}x: on this machine ${settings.floodRate} extra requests a second that never reach argon2 already take the p99 past 2x` : '';
  return {
    verdict: pass ? 'PASS' : 'MISS',
    text:
      `bad-key flood: p99 of valid requests ${flooded.valid.p99Ms.toFixed(2)} ms with ${settings.floodRate} bad keys/s vs ${quiet.valid.p99Ms.toFixed(2)} ms without = ${flood.p99Ratio.toFixed(2)}x (target ≤ 2.00x; read at the load generator. Inside the app: ${flooded.inside.p99Ms.toFixed(2)} ms vs ${quiet.inside.p99Ms.toFixed(2)} ms = ${flood.insideP99Ratio.toFixed(2)}x. ` +
      `Control, the same rate of keys refused before argon2: p99 ${control.valid.p99Ms.toFixed(2)} ms, so argon2's own part is ${flood.controlP99Ratio.toFixed(2)}x${controlAlone})`,
  };
}

/**
 * The targets of the issue, each computed from this run's numbers: full chain ≥ 75 % of bare on
 * Fastify and Hono and ≥ 1.5x the peer stacks; JWT full chain ≥ 60 % of bare; one Redis round trip
 * per request; valid p99 under a bad-key flood ≤ 2x its quiet value.
 *
 * @example
 * for (const line of targetLines(rows, flood)) console.log(`${line.verdict} ${line.text}`);
 */
export function targetLines(rows: readonly SummaryRow[], flood: FloodOutcome | undefined): TargetLine[] {
  const byName = new Map(rows.map((row) => [row.configuration.name, row]));
  const lines: TargetLine[] = [];
  for (const framework of ['fastify', 'hono']) lines.push(ratioTarget(byName, `${framework}/full`, 0.75, 'full chain, memory store'));
  lines.push(peerTarget(byName, 'express/full', 'express/peer-passport'), peerTarget(byName, 'express/full', 'express/peer-express-jwt'), peerTarget(byName, 'fastify/full', 'fastify/peer-fastify-jwt'));
  for (const framework of ['express', 'fastify', 'hono', 'koa']) lines.push(ratioTarget(byName, `${framework}/full-jwt`, 0.6, 'JWT full chain'));
  lines.push(...redisTargets(rows), floodTarget(flood));
  return lines;
}
