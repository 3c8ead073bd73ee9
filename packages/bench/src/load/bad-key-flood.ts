// The bad-key flood: p99 of valid requests at a steady rate, without and then with 1,000 bad keys per second.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HandlerLatency, LoopDelay } from '../app-process/messages.js';
import { benchPath, chatRequestBody } from '../bench-request.js';
import type { RunningApp, StartSettings } from '../configuration.js';
import { launchApp } from '../launch-app.js';
import { checkAnswer } from './check-answer.js';
import type { LoadResult, LoadTarget } from './drive-load.js';
import type { PacedWork } from './paced-sender.js';

const pacedSender = fileURLToPath(new URL('./paced-sender.ts', import.meta.url));

/** How the flood is run. */
export interface FloodSettings extends StartSettings {
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** Valid requests per second (well below capacity, so their latency is not queueing). */
  readonly validRate: number;
  /** Bad-key requests per second. */
  readonly floodRate: number;
}

/**
 * One phase: the valid requests' latency as the load generator saw it, the same requests timed inside
 * the app (arrival to the response's end: the load generator's own delays, on a machine it shares with
 * the app and argon2, do not count there), and the app's event-loop delay.
 */
export interface FloodPhase {
  readonly valid: LoadResult;
  readonly inside: HandlerLatency;
  readonly eventLoop: LoopDelay;
}

/** The flood could not be measured at all (the app did not start or answer). */
export interface FloodFailure {
  readonly failure: string;
}

/** A measured flood, or why there is none. */
export type FloodOutcome = FloodResult | FloodFailure;

/**
 * The three phases, and how the app answered each flood (401 verified and wrong, 503 shed, 429
 * throttled). The control phase sends the same rate of bad keys whose ids the store lacks: refused at
 * the lookup, before argon2, they cost the app what any 1,000 extra requests a second cost it (parsing,
 * routing, a 401, and on a machine with few cores the load generator's CPU), so the flooded phase over
 * the control is what argon2 and its shedding add on top.
 */
export interface FloodResult {
  readonly settings: Pick<FloodSettings, 'seconds' | 'validRate' | 'floodRate'>;
  readonly quiet: FloodPhase;
  readonly control: FloodPhase;
  readonly flooded: FloodPhase;
  readonly controlFlood: LoadResult;
  readonly flood: LoadResult;
  /** p99 with the flood over p99 without, as the load generator saw them (the target). */
  readonly p99Ratio: number;
  /** The same ratio of the p99s measured inside the app. */
  readonly insideP99Ratio: number;
  /** p99 with the flood over p99 with the control flood, at the load generator: argon2's own part. */
  readonly controlP99Ratio: number;
  /** Set when valid requests were refused or a bad key got through: the numbers do not count then. */
  readonly failure?: string;
}

// Enough that a slower answer never leaves a due request waiting for a free connection (200/s × 250 ms).
const validConnections = 50;
// Enough that the requests parked in argon2's queue (64 by default) leave connections free to keep the rate up.
const floodConnections = 200;

/**
 * Seconds of each unmeasured warm-up load: the valid requests alone, then with each flood. At most 3,
 * so a long `--warmup` does not spend minutes here: the control's unknown ids each count a failure,
 * and (3 s + a phase) × 1,000/s spread over 2,000 ids stays under the per-key-id throttle's 10 a
 * minute for phases under 17 s (a throttled control is reported by `floodProblems`).
 */
export function floodWarmupSeconds(warmupSeconds: number): number {
  return Math.min(3, warmupSeconds);
}

/**
 * Runs one paced load from a process of its own and resolves with what it measured: the flood as it
 * would come from elsewhere, and the valid requests away from the harness, whose heap after a whole
 * run (and its collections) would otherwise delay their timing.
 */
function pacedFromProcess(work: PacedWork): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const child = fork(pacedSender, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      stderr = (stderr + text).slice(-4_000);
    });
    child.once('message', (result: LoadResult) => resolve(result));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the load sender exited (code ${String(code)}) before it reported: ${stderr.trim()}`)));
    child.send(work);
  });
}

async function phase(app: RunningApp, valid: PacedWork, flood: PacedWork | undefined): Promise<FloodPhase & { flood?: LoadResult }> {
  await app.resetStats();
  const [validResult, floodResult] = await Promise.all([pacedFromProcess(valid), flood === undefined ? undefined : pacedFromProcess(flood)]);
  const eventLoop = await app.eventLoop();
  const inside = await app.handlerLatency();
  return { valid: validResult, inside, eventLoop, ...(floodResult === undefined ? {} : { flood: floodResult }) };
}

/** Why a measured flood does not count, if it does not: refused valid requests, admitted bad keys, no answer. */
export function floodProblems(quiet: FloodPhase, control: FloodPhase, flooded: FloodPhase, controlFlood: LoadResult, flood: LoadResult): string | undefined {
  const phases = [quiet, control, flooded];
  if (phases.some((phase) => phase.valid.non2xx + phase.valid.errors > 0)) {
    return `valid requests were refused or failed: ${JSON.stringify(quiet.valid.statuses)} without a flood, ${JSON.stringify(control.valid.statuses)} with the control flood, ${JSON.stringify(flooded.valid.statuses)} with the flood`;
  }
  for (const [what, load] of [['the flood', flood], ['the control flood', controlFlood]] as const) {
    const admitted = Object.keys(load.statuses).filter((code) => code.startsWith('2'));
    if (admitted.length > 0) return `bad keys were let through by ${what}: ${JSON.stringify(load.statuses)}`;
    if (load.responses === 0) return `${what} got no answer at all`;
  }
  // Keys the store lacks never reach argon2: a 503 there would mean the control measured the wrong thing.
  const unrefused = Object.keys(controlFlood.statuses).filter((code) => code !== '401');
  if (unrefused.length > 0) return `the control flood was not refused at the lookup alone: ${JSON.stringify(controlFlood.statuses)}`;
  return undefined;
}

/**
 * Runs Express with API keys, a pool of 2,000 real key ids and a trusted loopback proxy. Valid
 * requests go at `validRate`: alone; then while keys naming ids the store lacks arrive at `floodRate`
 * (the control: refused before argon2); then while bad keys (right format and checksum, real key ids,
 * wrong secrets, a new client address each) arrive at `floodRate`, so neither failure throttle stops
 * them before argon2 and its bounded queue must shed them. Compares the valid requests' p99.
 *
 * @example
 * const result = await measureFlood({ ...startSettings, seconds: 10, warmupSeconds: 2, validRate: 200, floodRate: 1000 });
 */
export async function measureFlood(settings: FloodSettings): Promise<FloodResult> {
  const app = await launchApp({ app: 'express', chain: 'flood', upstream: settings.upstream, workDir: settings.workDir, redisUrl: settings.redisUrl }, settings);
  try {
    const body = JSON.stringify(chatRequestBody(false));
    const target: LoadTarget = { url: app.url, path: benchPath, headers: app.headers, body };
    const wrong = await checkAnswer(target, false);
    if (wrong !== undefined) throw new Error(`the flood app: ${wrong}`);
    const bad = await app.badCredentials();
    if (bad.wrongSecret.length === 0 || bad.unknownKey.length === 0) throw new Error('the flood app has no bad credentials to send');
    const valid: PacedWork = { target, shape: { seconds: settings.seconds, connections: validConnections, rate: settings.validRate } };
    const floodOf = (credentials: readonly string[]): PacedWork => ({
      target: { url: app.url, path: benchPath, headers: {}, body },
      shape: { seconds: settings.seconds, connections: floodConnections, rate: settings.floodRate },
      rotateCredentials: credentials,
    });
    if (settings.warmupSeconds > 0) {
      // Each flood once unmeasured too: the first seconds of a new load are the JIT's and the heap's
      // (measured first, the control's p99 came out 20 times the flood's that followed it).
      const warm = (work: PacedWork): PacedWork => ({ ...work, shape: { ...work.shape, seconds: floodWarmupSeconds(settings.warmupSeconds) } });
      await pacedFromProcess(warm(valid));
      for (const credentials of [bad.unknownKey, bad.wrongSecret]) await Promise.all([pacedFromProcess(warm(valid)), pacedFromProcess(warm(floodOf(credentials)))]);
    }
    const quiet = await phase(app, valid, undefined);
    const control = await phase(app, valid, floodOf(bad.unknownKey));
    const flooded = await phase(app, valid, floodOf(bad.wrongSecret));
    const [controlFlood, floodResult] = [control.flood!, flooded.flood!];
    const failure = floodProblems(quiet, control, flooded, controlFlood, floodResult);
    const only = ({ valid, inside, eventLoop }: FloodPhase): FloodPhase => ({ valid, inside, eventLoop });
    return {
      settings: { seconds: settings.seconds, validRate: settings.validRate, floodRate: settings.floodRate },
      quiet: only(quiet),
      control: only(control),
      flooded: only(flooded),
      controlFlood,
      flood: floodResult,
      p99Ratio: flooded.valid.p99Ms / quiet.valid.p99Ms,
      insideP99Ratio: flooded.inside.p99Ms / quiet.inside.p99Ms,
      controlP99Ratio: flooded.valid.p99Ms / control.valid.p99Ms,
      ...(failure === undefined ? {} : { failure }),
    };
  } finally {
    await app.stop();
  }
}
