// A client that leaves: the context's signal fires (so the upstream call stops) and finish reports the abort, once.
import { expect } from 'vitest';
import { sseEvents } from '../conformance-fixture.js';
import { readUntil } from '../http-client.js';
import { expectSingleFinish, withKey, type Scenario } from '../scenario.js';

export const clientAbortScenarios: readonly Scenario[] = [
  {
    name: 'aborts the signal and finishes as aborted when the client leaves before the response',
    async run(target) {
      const id = target.nextId();
      const controller = new AbortController();
      const pending = fetch(`${target.url}/v1/hang`, { headers: withKey(target.fixture.keys.good, id), signal: controller.signal }).catch(() => undefined);
      const record = await target.fixture.recorder.waitFor(id, (r) => r.context.completedSteps.includes('authenticate'));
      expect(record.context.signal.aborted).toBe(false);
      controller.abort();
      await pending;
      await target.fixture.recorder.waitFor(id, (r) => r.context.signal.aborted);
      const finished = await expectSingleFinish(target, id);
      expect(finished.finishes[0]!.outcome.aborted).toBe(true);
    },
  },
  {
    name: 'aborts the signal and finishes as aborted when the client leaves a stream midway, with what was sent observed',
    async run(target) {
      const id = target.nextId();
      const controller = new AbortController();
      const res = await fetch(`${target.url}/v1/hang?stream=1`, { headers: withKey(target.fixture.keys.good, id), signal: controller.signal });
      expect(res.status).toBe(200);
      const { reader } = await readUntil(res.body!, sseEvents[0]);
      const record = target.fixture.recorder.get(id)!;
      expect(record.context.signal.aborted).toBe(false);
      controller.abort();
      await reader.cancel().catch(() => undefined);
      await target.fixture.recorder.waitFor(id, (r) => r.context.signal.aborted);
      const finished = await expectSingleFinish(target, id);
      expect(finished.finishes[0]!.outcome).toEqual({ status: 200, aborted: true });
      expect(finished.observed).toMatchObject({ body: sseEvents[0], ended: { status: 200, aborted: true } });
    },
  },
];
