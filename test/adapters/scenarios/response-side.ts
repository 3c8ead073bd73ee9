// After the handler: observers see the exact body (JSON and SSE), every response carries the request id, finish runs once.
import { expect } from 'vitest';
import { sseEvents } from '../conformance-fixture.js';
import { expectSingleFinish, withKey, type Scenario } from '../scenario.js';

export const responseSideScenarios: readonly Scenario[] = [
  {
    name: 'feeds the exact bytes of a JSON response to observers and finishes once',
    async run(target) {
      const id = target.nextId();
      const res = await fetch(`${target.url}/v1/whoami`, { headers: withKey(target.fixture.keys.good, id) });
      const text = await res.text();
      const record = await expectSingleFinish(target, id);
      expect(record.observed).toMatchObject({ status: 200, body: text, ended: { status: 200, aborted: false } });
      expect(record.observed?.type).toMatch(/^application\/json/);
      expect(record.finishes[0]).toEqual({ outcome: { status: 200, aborted: false }, refusal: undefined });
    },
  },
  {
    name: 'streams SSE with the framework’s streaming idiom, observed chunk-exact, and finishes once',
    async run(target) {
      const id = target.nextId();
      const res = await fetch(`${target.url}/v1/stream`, { headers: withKey(target.fixture.keys.good, id) });
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(res.headers.get('x-request-id')).toBe(id);
      expect(await res.text()).toBe(sseEvents.join(''));
      const record = await expectSingleFinish(target, id);
      expect(record.observed).toMatchObject({ status: 200, body: sseEvents.join(''), ended: { status: 200, aborted: false } });
      expect(record.observed?.type).toMatch(/^text\/event-stream/);
    },
  },
  {
    name: 'finishes a refused request once, with the refusal recorded and no observer',
    async run(target) {
      const id = target.nextId();
      expect((await fetch(`${target.url}/v1/whoami`, { headers: { 'x-request-id': id } })).status).toBe(401);
      const record = await expectSingleFinish(target, id);
      expect(record.finishes[0]).toEqual({ outcome: { status: 401, aborted: false }, refusal: 'TG_MISSING_CREDENTIAL' });
      expect(record.observed).toBeUndefined();
    },
  },
  {
    name: 'puts x-request-id on every response, echoing a well-formed client id and replacing a malformed one',
    async run(target) {
      const { good } = target.fixture.keys;
      const mine = await fetch(`${target.url}/v1/whoami`, { headers: withKey(good, 'client.id:1') });
      expect(mine.headers.get('x-request-id')).toBe('client.id:1');
      const malformed = await fetch(`${target.url}/v1/whoami`, { headers: withKey(good, 'has space') });
      const replaced = malformed.headers.get('x-request-id');
      expect(replaced).toMatch(/^req_/);
      expect(((await malformed.json()) as { requestId: string }).requestId).toBe(replaced);
      for (const path of ['/v1/whoami', '/body/echo', '/problem/whoami', '/down/whoami', '/v1/stream']) {
        const res = await fetch(`${target.url}${path}`, { method: path.endsWith('echo') ? 'POST' : 'GET' });
        expect({ path, id: res.headers.get('x-request-id') }).toEqual({ path, id: expect.stringMatching(/^req_/) });
        await res.body?.cancel();
      }
    },
  },
  {
    name: 'renders RFC 9457 problem+json when the chain asks for it',
    async run(target) {
      const res = await fetch(`${target.url}/problem/whoami`, { headers: { 'x-request-id': 'problem-1' } });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tollgate"');
      expect(await res.json()).toMatchObject({ type: 'urn:tollgate:error:missing_credential', status: 401, code: 'TG_MISSING_CREDENTIAL' });
      const ok = await fetch(`${target.url}/problem/whoami`, { headers: withKey(target.fixture.keys.good, target.nextId()) });
      expect(((await ok.json()) as { subject: string }).subject).toBe('alice');
    },
  },
];
