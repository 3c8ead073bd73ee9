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

/** Both phases, and how the app answered the flood (401 verified and wrong, 503 shed, 429 throttled). */
export interface FloodResult {
  readonly settings: Pick<FloodSettings, 'seconds' | 'validRate' | 'floodRate'>;
  readonly quiet: FloodPhase;
  readonly flooded: FloodPhase;
  readonly flood: LoadResult;
  /** p99 with the flood over p99 without, as the load generator saw them. */
  readonly p99Ratio: number;
  /** The same ratio of the p99s measured inside the app. */
  readonly insideP99Ratio: number;
  /** Set when valid requests were refused or a bad key got through: the numbers do not count then. */
  readonly failure?: string;
}

// Enough that a slower answer never leaves a due request waiting for a free connection (200/s × 250 ms).
const validConnections = 50;
// Enough that the requests parked in argon2's queue (64 by default) leave connections free to keep the rate up.
const floodConnections = 200;

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

function problems(quiet: FloodPhase, flooded: FloodPhase, flood: LoadResult): string | undefined {
  if (quiet.valid.non2xx + quiet.valid.errors + flooded.valid.non2xx + flooded.valid.errors > 0) {
    return `valid requests were refused or failed: ${JSON.stringify(quiet.valid.statuses)} without the flood, ${JSON.stringify(flooded.valid.statuses)} with it`;
  }
  const admitted = Object.entries(flood.statuses).filter(([code]) => code.startsWith('2'));
  if (admitted.length > 0) return `bad keys were let through: ${JSON.stringify(flood.statuses)}`;
  if (flood.responses === 0) return 'the flood got no answer at all';
  return undefined;
}

/**
 * Runs Express with API keys, a pool of 2,000 real key ids and a trusted loopback proxy. Valid
 * requests go at `validRate`; then again while bad keys (right format and checksum, real key ids,
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
    if (bad.length === 0) throw new Error('the flood app has no bad credentials to send');
    const valid: PacedWork = { target, shape: { seconds: settings.seconds, connections: validConnections, rate: settings.validRate } };
    const flood: PacedWork = {
      target: { url: app.url, path: benchPath, headers: {}, body },
      shape: { seconds: settings.seconds, connections: floodConnections, rate: settings.floodRate },
      rotateCredentials: bad,
    };
    if (settings.warmupSeconds > 0) await pacedFromProcess({ ...valid, shape: { ...valid.shape, seconds: settings.warmupSeconds } });
    const quiet = await phase(app, valid, undefined);
    const flooded = await phase(app, valid, flood);
    const floodResult = flooded.flood!;
    const failure = problems(quiet, flooded, floodResult);
    return {
      settings: { seconds: settings.seconds, validRate: settings.validRate, floodRate: settings.floodRate },
      quiet: { valid: quiet.valid, inside: quiet.inside, eventLoop: quiet.eventLoop },
      flooded: { valid: flooded.valid, inside: flooded.inside, eventLoop: flooded.eventLoop },
      flood: floodResult,
      p99Ratio: flooded.valid.p99Ms / quiet.valid.p99Ms,
      insideP99Ratio: flooded.inside.p99Ms / quiet.inside.p99Ms,
      ...(failure === undefined ? {} : { failure }),
    };
  } finally {
    await app.stop();
  }
}
