import { describe, expect, it } from 'vitest';
import { createPipeline } from '../pipeline/pipeline.js';
import type { RequestInput } from '../request/tg-request.js';
import type { AuthMethod, Credential } from './auth-method.js';
import { authenticate } from './authenticate.js';
import { TollgateError } from '../errors/tollgate-error.js';

/** A method that accepts `good-*` tokens, refuses `bad-*` and fails with `down-*`. */
function fakeMethod(headers: readonly string[] = ['x-api-key']): AuthMethod & { seen: Credential[] } {
  const seen: Credential[] = [];
  return {
    name: 'api_key',
    headers,
    seen,
    accepts: (c) => /^(good|bad|down)-/.test(c.value),
    async verify(credential) {
      seen.push(credential);
      if (credential.value.startsWith('bad-')) throw new TollgateError('TG_INVALID_CREDENTIAL');
      if (credential.value.startsWith('down-')) throw new Error('store exploded');
      return { principal: { subject: credential.value, kind: 'user', method: 'api_key', keyId: 'k1', roles: [], scopes: [], claims: {} }, cached: false };
    },
  };
}

function input(headers: Record<string, string | string[]>): RequestInput {
  return {
    method: 'POST',
    path: '/v1/chat/completions',
    headerValues: (name) => {
      const value = headers[name];
      return value === undefined ? [] : Array.isArray(value) ? value : [value];
    },
    remoteAddress: '127.0.0.1',
    body: () => ({ kind: 'none' }),
  };
}

async function run(headers: Record<string, string | string[]>, optional = false) {
  const method = fakeMethod();
  const pipeline = createPipeline({ steps: [authenticate({ methods: [method], optional })] });
  const handle = pipeline.start(input(headers));
  const response = await pipeline.run(handle);
  return { response, context: handle.context, method, body: response === undefined ? undefined : (JSON.parse(response.body) as { error: Record<string, unknown> }) };
}

describe('authenticate', () => {
  it('sets the principal and an allow decision for a good credential', async () => {
    const { response, context } = await run({ authorization: 'Bearer good-1' });
    expect(response).toBeUndefined();
    expect(context.principal?.subject).toBe('good-1');
    expect(context.decisions.authn).toEqual({ outcome: 'allow', method: 'api_key', cached: false, keyId: 'k1' });
    expect(context.completedSteps).toEqual(['authenticate']);
  });

  it('accepts the bearer scheme in any case and the dedicated header', async () => {
    expect((await run({ authorization: 'bearer good-1' })).response).toBeUndefined();
    expect((await run({ authorization: 'BEARER good-1' })).response).toBeUndefined();
    expect((await run({ 'x-api-key': 'good-1' })).context.principal?.subject).toBe('good-1');
    expect((await run({ authorization: 'Bearer good-1', 'x-api-key': 'good-1' })).response).toBeUndefined();
  });

  it('answers 401 without error= when no credential is sent', async () => {
    const { response, body, context } = await run({});
    expect(response?.status).toBe(401);
    expect(response?.headers['www-authenticate']).toBe('Bearer realm="tollgate"');
    expect(body?.error).toMatchObject({ type: 'authentication_error', code: 'missing_credential', tg_code: 'TG_MISSING_CREDENTIAL' });
    expect(context.decisions.authn).toEqual({ outcome: 'deny', reason: 'TG_MISSING_CREDENTIAL' });
  });

  it('answers 401 invalid_token for a refused credential, an unknown form and another scheme', async () => {
    for (const headers of [{ authorization: 'Bearer bad-1' }, { authorization: 'Bearer other-form' }, { authorization: 'Basic YWxhZGRpbjpvcGVuc2VzYW1l' }, { authorization: `Bearer good-${'a'.repeat(9000)}` }]) {
      const { response } = await run(headers);
      expect(response?.status).toBe(401);
      expect(response?.headers['www-authenticate']).toBe('Bearer realm="tollgate", error="invalid_token"');
    }
  });

  it('answers 400 for duplicated headers, two different credentials and malformed values, before any verification', async () => {
    const cases: Array<[Record<string, string | string[]>, string]> = [
      [{ authorization: ['Bearer good-1', 'Bearer good-1'] }, 'TG_CONFLICTING_CREDENTIALS'],
      [{ 'x-api-key': ['good-1', 'good-2'] }, 'TG_CONFLICTING_CREDENTIALS'],
      [{ authorization: 'Bearer good-1', 'x-api-key': 'good-2' }, 'TG_CONFLICTING_CREDENTIALS'],
      [{ authorization: 'Bearer' }, 'TG_MALFORMED_CREDENTIAL'],
      [{ authorization: 'Bearer ' }, 'TG_MALFORMED_CREDENTIAL'],
      [{ authorization: 'Bearer good 1' }, 'TG_MALFORMED_CREDENTIAL'],
      [{ authorization: 'Bearer good\t1' }, 'TG_MALFORMED_CREDENTIAL'],
      [{ authorization: 'Bearer good-\u00e91' }, 'TG_MALFORMED_CREDENTIAL'],
      [{ authorization: 'Bearer good-\u00001' }, 'TG_MALFORMED_CREDENTIAL'],
      [{ authorization: '' }, 'TG_MALFORMED_CREDENTIAL'],
      [{ authorization: ' Bearer good-1' }, 'TG_MALFORMED_CREDENTIAL'],
      [{ 'x-api-key': '' }, 'TG_MALFORMED_CREDENTIAL'],
    ];
    for (const [headers, code] of cases) {
      const { response, body, method } = await run(headers);
      expect({ headers, status: response?.status, code: body?.error['tg_code'] }).toEqual({ headers, status: 400, code });
      expect(response?.headers['www-authenticate']).toBe('Bearer realm="tollgate", error="invalid_request"');
      expect(method.seen).toEqual([]);
    }
  });

  it('turns an unexpected method failure into a 500 that does not leak the cause', async () => {
    const { response } = await run({ authorization: 'Bearer down-1' });
    expect(response?.status).toBe(500);
    expect(response?.body).not.toContain('exploded');
  });

  it('lets requests without a credential through in optional mode, but still refuses bad ones', async () => {
    const none = await run({}, true);
    expect(none.response).toBeUndefined();
    expect(none.context.principal).toBeUndefined();
    expect((await run({ authorization: 'Bearer bad-1' }, true)).response?.status).toBe(401);
  });

  it('refuses bad options at startup', () => {
    expect(() => authenticate({ methods: [] })).toThrow(/at least one method/);
    const method = fakeMethod();
    expect(() => authenticate({ methods: [method, method] })).toThrow(/twice/);
    expect(() => authenticate({ methods: [method], maxCredentialLength: 0 })).toThrow(/maxCredentialLength/);
  });
});
