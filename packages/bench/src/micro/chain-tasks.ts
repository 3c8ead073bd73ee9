// Microbenchmarks of whole requests without HTTP: validateRequest alone, and the full chains from start to finish.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPipeline, type Pipeline } from '@tollgate/core';
import { AppCounters } from '../app-process/app-counters.js';
import { benchValidation } from '../app-process/chains/bench-validation.js';
import { unknownApiKey } from '../app-process/chains/build-chain.js';
import { fullChain } from '../app-process/chains/full-chain.js';
import { startUpstream } from '../app-process/upstream.js';
import { chatRequestBody } from '../bench-request.js';
import { startBenchRequest, type MicroGroup, type MicroTask } from './micro-task.js';

/** One request through `pipeline` as an adapter drives it: start, run, the response body observed, finish. */
function wholeRequest(name: string, pipeline: Pipeline, headers: Readonly<Record<string, string>>, answer: Uint8Array): MicroTask {
  return {
    name,
    async run() {
      const { handle } = startBenchRequest(pipeline, headers, 'raw');
      const refusal = await pipeline.run(handle);
      if (refusal !== undefined) throw new Error(`${name}: refused with ${refusal.status} ${refusal.body}`);
      const observer = pipeline.observe(handle);
      observer?.start?.(200, 'application/json');
      observer?.chunk(answer);
      const outcome = { status: 200, aborted: false };
      observer?.end?.(outcome);
      await pipeline.finish(handle, outcome);
      // A server returns to the event loop between requests; so must this loop, or the inference log's
      // delivery queue (drained from setImmediate) never writes a record while it is timed: its queue
      // would only grow, and the serialisation every real request pays would go unmeasured.
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

/**
 * One request refused at authentication, as an adapter drives it: start, run (a refusal), finish with
 * the refusal's status. No response observer: adapters attach none to a refused request.
 */
function refusedRequest(name: string, pipeline: Pipeline, headers: Readonly<Record<string, string>>): MicroTask {
  return {
    name,
    async run() {
      const { handle } = startBenchRequest(pipeline, headers, 'raw');
      const refusal = await pipeline.run(handle);
      if (refusal === undefined || refusal.status !== 401) throw new Error(`${name}: expected a 401 refusal, got ${refusal === undefined ? 'the request through' : `${refusal.status} ${refusal.body}`}`);
      await pipeline.finish(handle, { status: refusal.status, aborted: false });
      // As in wholeRequest: the denial's record is written from setImmediate.
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

// Failure throttles that count every failure but never refuse: without them the same bad key would be
// answered 429 by the per-key-id throttle after ten tries, and the task would time that path instead.
const neverTripping = { perKeyId: { maxFailures: 1_000_000, windowMs: 1 }, perIp: { maxFailures: 1_000_000, windowMs: 1 } } as const;

/**
 * validateRequest on the bench body (read from bytes, schema-checked, model resolved, prompt
 * tokens counted), one whole request through the `full` and `full-jwt` chains with the stub's
 * answer observed, and one refused for an unknown key: tollgate's own cost per request, with no HTTP.
 *
 * @example
 * const group = await chainTasks();
 */
export async function chainTasks(): Promise<MicroGroup> {
  const workDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-micro-'));
  const upstream = await startUpstream('inline', chatRequestBody(false));
  const reply = await upstream.chat(chatRequestBody(false));
  const answer = new Uint8Array(reply.body as Buffer);
  const deps = { workDir, redisUrl: '', counters: new AppCounters() };
  const [full, fullJwt] = [await fullChain('full', deps), await fullChain('full-jwt', deps)];
  const refusing = await fullChain('full', deps, { apiKeyThrottle: neverTripping });
  const validation = benchValidation();
  // Built once, as an app builds its chain: the task times a request, not the making of a pipeline.
  const validationPipeline = createPipeline({ steps: [validation] });
  const validate: MicroTask = {
    name: 'validateRequest: chat body read, checked, model resolved, tokens counted',
    async run() {
      const { pipeline, handle } = startBenchRequest(validationPipeline, {}, 'raw');
      const refusal = await pipeline.run(handle);
      if (refusal !== undefined) throw new Error(`validateRequest refused the bench body: ${refusal.status} ${refusal.body}`);
    },
  };
  return {
    tasks: [validate, wholeRequest('Full chain, API key: one request, no HTTP', full.gate, full.headers, answer), wholeRequest('Full chain, JWT: one request, no HTTP', fullJwt.gate, fullJwt.headers, answer),
      // What each request of a bad-key flood costs the app's thread once argon2 is out of the way.
      refusedRequest('Full chain, refused: unknown API key id, one request, no HTTP', refusing.gate, { authorization: `Bearer ${unknownApiKey()}` }),
    ],
    skipped: [],
    async close() {
      await Promise.all([full.close(), fullJwt.close(), refusing.close(), validation.close?.(), upstream.close()]);
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
