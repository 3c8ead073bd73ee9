// Who is calling: the 401/400/503 answers of DESIGN.md's HTTP contract, and the principal the handler sees.
import { expect } from 'vitest';
import { rawRequest, snapshot } from '../http-client.js';
import { rendered, withKey, type Scenario } from '../scenario.js';

export const authenticationScenarios: readonly Scenario[] = [
  {
    name: 'leaves the public route alone and answers a request without a credential with core’s 401, byte for byte',
    async run(target) {
      const health = await fetch(`${target.url}/healthz`);
      expect(health.status).toBe(200);
      expect(health.headers.get('x-request-id')).toBeNull();
      const id = target.nextId();
      const res = await snapshot(await fetch(`${target.url}/v1/whoami`, { headers: { 'x-request-id': id } }));
      const expected = rendered(target, '/v1', 'TG_MISSING_CREDENTIAL', id);
      expect(res.status).toBe(401);
      expect(res.body).toBe(expected.body);
      expect(res.headers).toMatchObject(expected.headers);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="tollgate"');
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['x-request-id']).toBe(id);
    },
  },
  {
    name: 'hands the principal and the request id to the handler, for a key in either header',
    async run(target) {
      const { good } = target.fixture.keys;
      for (const header of [{ authorization: `Bearer ${good}` }, { 'x-api-key': good }] as Array<Record<string, string>>) {
        const id = target.nextId();
        const res = await fetch(`${target.url}/v1/whoami`, { headers: { ...header, 'x-request-id': id } });
        expect(res.status).toBe(200);
        expect(res.headers.get('x-request-id')).toBe(id);
        expect(await res.json()).toEqual({ subject: 'alice', tenant: 'acme', requestId: id });
        expect(target.fixture.recorder.get(id)?.context.principal?.subject).toBe('alice');
      }
    },
  },
  {
    name: 'gives byte-identical 401s for unknown, wrong, expired and revoked keys',
    async run(target) {
      const { unknownId, wrongSecret, expired, revoked } = target.fixture.keys;
      const responses = await Promise.all([unknownId, wrongSecret, expired, revoked].map(async (key) =>
        snapshot(await fetch(`${target.url}/v1/whoami`, { headers: withKey(key, 'same-id') }))));
      const expected = rendered(target, '/v1', 'TG_INVALID_CREDENTIAL', 'same-id');
      expect(responses[0]!.status).toBe(401);
      expect(responses[0]!.body).toBe(expected.body);
      expect(responses[0]!.headers['www-authenticate']).toBe('Bearer realm="tollgate", error="invalid_token"');
      for (const response of responses) expect(response).toEqual(responses[0]);
    },
  },
  {
    name: 'answers 400 invalid_request for a duplicated Authorization header and for two different credentials',
    async run(target) {
      const { good, other } = target.fixture.keys;
      const dup = await rawRequest(target.url, `GET /v1/whoami HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${good}\r\nAuthorization: Bearer ${good}\r\nConnection: close\r\n\r\n`);
      expect(dup.status).toBe(400);
      expect(dup.text).toContain('"code":"conflicting_credentials"');
      expect(dup.text.toLowerCase()).toContain('www-authenticate: bearer realm="tollgate", error="invalid_request"');
      const two = await fetch(`${target.url}/v1/whoami`, { headers: { authorization: `Bearer ${good}`, 'x-api-key': other } });
      expect(two.status).toBe(400);
      expect(((await two.json()) as { error: { tg_code: string } }).error.tg_code).toBe('TG_CONFLICTING_CREDENTIALS');
    },
  },
  {
    name: 'refuses an unknown route under a guarded prefix before a 404 could reveal the route table',
    async run(target) {
      const res = await fetch(`${target.url}/v1/no-such-route`);
      expect(res.status).toBe(401);
      const ok = await fetch(`${target.url}/v1/no-such-route`, { headers: withKey(target.fixture.keys.good, target.nextId()) });
      expect(ok.status).toBe(404);
    },
  },
  {
    name: 'answers 503 with Retry-After when the key store is down, never 401',
    async run(target) {
      const id = target.nextId();
      const res = await snapshot(await fetch(`${target.url}/down/whoami`, { headers: withKey(target.fixture.keys.good, id) }));
      const expected = rendered(target, '/down', 'TG_VERIFIER_UNAVAILABLE', id);
      expect(res.status).toBe(503);
      expect(res.body).toBe(expected.body);
      expect(res.headers).toMatchObject({ 'retry-after': '1', 'x-should-retry': 'true', 'x-request-id': id });
      expect(res.body).not.toContain('ECONNREFUSED');
    },
  },
];
