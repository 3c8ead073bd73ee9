// authenticate with a method whose credential comes with the connection (mTLS): routing, conflicts, optional mode.
import { describe, expect, it } from 'vitest';
import { TollgateError } from '../errors/tollgate-error.js';
import { createPipeline } from '../pipeline/pipeline.js';
import type { AuthMethod, Credential } from './auth-method.js';
import { authenticate } from './authenticate.js';

function methods(connection: Credential | 'throw' | undefined) {
  const verified: string[] = [];
  const byConnection: AuthMethod = {
    name: 'mtls',
    headers: [],
    accepts: () => false,
    fromConnection: () => {
      if (connection === 'throw') throw new TollgateError('TG_INVALID_CREDENTIAL');
      return connection;
    },
    async verify(credential) {
      verified.push(`mtls:${credential.value}`);
      return { principal: { subject: 'svc', kind: 'service', method: 'mtls', roles: [], scopes: [], claims: {} }, cached: false };
    },
  };
  const byHeader: AuthMethod = {
    name: 'api_key',
    headers: [],
    accepts: (c) => c.value.startsWith('tg_'),
    async verify(credential) {
      verified.push(`key:${credential.value}`);
      return { principal: { subject: 'alice', kind: 'user', method: 'api_key', roles: [], scopes: [], claims: {} }, cached: false };
    },
  };
  return { list: [byHeader, byConnection], verified };
}

async function run(connection: Credential | 'throw' | undefined, headers: Record<string, string>, optional = false) {
  const { list, verified } = methods(connection);
  const pipeline = createPipeline({ steps: [authenticate({ methods: list, optional })] });
  const handle = pipeline.start({ method: 'GET', path: '/', headerValues: (name) => (headers[name] === undefined ? [] : [headers[name]!]), remoteAddress: '127.0.0.1', body: () => ({ kind: 'none' }) });
  const response = await pipeline.run(handle);
  return { status: response?.status ?? 200, verified, context: handle.context };
}

const certificate: Credential = { value: 'AB:CD', header: 'tls' };

describe('authenticate with connection credentials', () => {
  it('verifies a connection credential with the method that found it', async () => {
    const { status, verified, context } = await run(certificate, {});
    expect(status).toBe(200);
    expect(verified).toEqual(['mtls:AB:CD']);
    expect(context.decisions.authn).toMatchObject({ outcome: 'allow', method: 'mtls' });
  });

  it('answers 400 when a header credential and a connection credential arrive together, verifying neither', async () => {
    const { status, verified, context } = await run(certificate, { authorization: 'Bearer tg_live_x' });
    expect(status).toBe(400);
    expect(verified).toEqual([]);
    expect(context.decisions.authn).toEqual({ outcome: 'deny', reason: 'TG_CONFLICTING_CREDENTIALS' });
  });

  it('uses header methods as before when the connection carries nothing', async () => {
    expect((await run(undefined, { authorization: 'Bearer tg_live_x' })).verified).toEqual(['key:tg_live_x']);
    expect((await run(undefined, {})).status).toBe(401);
    expect((await run(undefined, {}, true)).status).toBe(200);
  });

  it('refuses when reading the connection credential fails', async () => {
    const { status, context } = await run('throw', {});
    expect(status).toBe(401);
    expect(context.decisions.authn).toEqual({ outcome: 'deny', reason: 'TG_INVALID_CREDENTIAL' });
  });
});
