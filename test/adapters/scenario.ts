// What a conformance scenario is, and the checks several scenarios share.
import { TollgateError, type ErrorCode } from '@tollgate/core';
import { expect } from 'vitest';
import type { ConformanceFixture, ConformanceMounts } from './conformance-fixture.js';
import type { RequestRecord } from './recorder.js';

/** The app a scenario drives. */
export interface ScenarioTarget {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly fixture: ConformanceFixture;
  /** A fresh, well-formed request id, unique in this run; send it as `x-request-id` to find the request's record. */
  nextId(): string;
}

/** One behaviour, written once, run against every adapter's app. */
export interface Scenario {
  readonly name: string;
  run(target: ScenarioTarget): Promise<void>;
}

/** Headers with a bearer key and a request id. */
export function withKey(key: string, requestId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${key}`, 'x-request-id': requestId, ...extra };
}

/** The exact bytes core renders for an error code on a mount: what every adapter must send. */
export function rendered(target: ScenarioTarget, mount: keyof ConformanceMounts, code: ErrorCode, requestId: string): { status: number; headers: Record<string, string>; body: string } {
  return target.fixture.mounts[mount].render(new TollgateError(code), requestId);
}

/**
 * Waits for the request's finish, then for a later request's finish too, and checks that the first
 * request was finished exactly once.
 */
export async function expectSingleFinish(target: ScenarioTarget, requestId: string): Promise<RequestRecord> {
  const record = await target.fixture.recorder.waitFor(requestId, (r) => r.finishes.length > 0);
  const barrier = target.nextId();
  await (await fetch(`${target.url}/v1/whoami`, { headers: withKey(target.fixture.keys.good, barrier) })).text();
  await target.fixture.recorder.waitFor(barrier, (r) => r.finishes.length > 0);
  expect(record.finishes, `finish calls for ${requestId}`).toHaveLength(1);
  return record;
}
