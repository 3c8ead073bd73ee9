// Bodies read by a step: core's limits answer (413/415/400) in every framework, and the handler gets the same body.
import { expect } from 'vitest';
import { bodyLimit } from '../conformance-fixture.js';
import { snapshot, statusBeforeBody } from '../http-client.js';
import { rendered, withKey, type Scenario } from '../scenario.js';

const json = { 'content-type': 'application/json' };

export const requestBodyScenarios: readonly Scenario[] = [
  {
    name: 'hands the body a step read to the handler, as the framework’s own parsed body',
    async run(target) {
      const id = target.nextId();
      const sent = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'héllo' }], max_tokens: 7 };
      const res = await fetch(`${target.url}/body/echo`, { method: 'POST', headers: withKey(target.fixture.keys.good, id, json), body: JSON.stringify(sent) });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ body: sent });
      expect(await target.fixture.recorder.get(id)?.context.request.json()).toEqual(sent);
    },
  },
  {
    name: 'answers 415 from core when a step must read a body that is not JSON',
    async run(target) {
      const id = target.nextId();
      const res = await snapshot(await fetch(`${target.url}/body/echo`, { method: 'POST', headers: withKey(target.fixture.keys.good, id, { 'content-type': 'text/plain' }), body: 'hi' }));
      expect(res.status).toBe(415);
      expect(res.body).toBe(rendered(target, '/body', 'TG_UNSUPPORTED_MEDIA_TYPE', id).body);
      expect(res.headers['x-request-id']).toBe(id);
    },
  },
  {
    name: 'answers 413 from core for a body over the limit, announced or chunked',
    async run(target) {
      const big = JSON.stringify({ pad: 'a'.repeat(bodyLimit) });
      const id = target.nextId();
      const announced = await snapshot(await fetch(`${target.url}/body/echo`, { method: 'POST', headers: withKey(target.fixture.keys.good, id, json), body: big }));
      expect(announced.status).toBe(413);
      expect(announced.body).toBe(rendered(target, '/body', 'TG_BODY_TOO_LARGE', id).body);
      const chunkedId = target.nextId();
      const chunks = [big.slice(0, 1000), big.slice(1000)].map((part) => new TextEncoder().encode(part));
      const stream = new ReadableStream<Uint8Array>({ pull: (controller) => (chunks.length > 0 ? controller.enqueue(chunks.shift()!) : controller.close()) });
      const chunked = await fetch(`${target.url}/body/echo`, { method: 'POST', headers: withKey(target.fixture.keys.good, chunkedId, json), body: stream, duplex: 'half' } as RequestInit);
      expect(chunked.status).toBe(413);
      expect(chunked.headers.get('x-request-id')).toBe(chunkedId);
    },
  },
  {
    name: 'answers 400 invalid_json from core for a body that does not parse',
    async run(target) {
      const id = target.nextId();
      const res = await snapshot(await fetch(`${target.url}/body/echo`, { method: 'POST', headers: withKey(target.fixture.keys.good, id, json), body: '{"model":' }));
      expect(res.status).toBe(400);
      expect(res.body).toBe(rendered(target, '/body', 'TG_INVALID_JSON', id).body);
    },
  },
  {
    name: 'authenticates before anything reads the body: an anonymous request gets its 401 while its body is still arriving',
    async run(target) {
      const head = `POST /body/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"model":`;
      expect(await statusBeforeBody(target.url, head)).toBe(401);
      // With a key the step reads the body, and refuses it once the limit is passed, without waiting for the rest.
      const keyed = head.replace('Host: x', `Host: x\r\nAuthorization: Bearer ${target.fixture.keys.good}`);
      expect(await statusBeforeBody(target.url, `${keyed}"${'a'.repeat(bodyLimit)}`)).toBe(413);
    },
  },
];
