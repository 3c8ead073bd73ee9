// Microbenchmarks of authentication: an API key and a JWT on a cache hit, and a JWT on a miss.
import { apiKey, jwt, memoryKeyStore, type AuthMethod, type Credential } from '@tollgate/core';
import { benchApiKey, benchJwtIssuer } from '../app-process/chains/bench-identity.js';
import { startBenchRequest, type MicroGroup } from './micro-task.js';

async function verifier(method: AuthMethod, value: string): Promise<() => Promise<unknown>> {
  const credential: Credential = { value, header: 'authorization' };
  const { context } = startBenchRequest([], { authorization: `Bearer ${value}` }).handle;
  // The first verification fills the cache (argon2 or a signature check); the timed ones are what follows.
  await method.verify(credential, context);
  return () => method.verify(credential, context);
}

/**
 * API key verification on a verified-key cache hit; RS256 JWT verification on a verified-token
 * cache hit, and with the cache off (signature, issuer, audience and claims checked every time).
 *
 * @example
 * const group = await credentialTasks();
 */
export async function credentialTasks(): Promise<MicroGroup> {
  const store = memoryKeyStore();
  const key = await benchApiKey(store);
  const keys = apiKey({ store });
  const issuer = await benchJwtIssuer();
  const jwtOptions = { issuer: issuer.issuer, audience: issuer.audience, algorithms: [issuer.algorithm], publicKeys: [issuer.publicJwk], claims: { tenant: 'tenant_id', roles: 'roles' } } as const;
  const cached = jwt(jwtOptions);
  const uncached = jwt({ ...jwtOptions, cache: false });
  return {
    tasks: [
      { name: 'API key: verify, cache hit', run: await verifier(keys, key) },
      { name: 'JWT RS256: verify, cache hit', run: await verifier(cached, issuer.token) },
      { name: 'JWT RS256: verify, cache miss (signature checked)', run: await verifier(uncached, issuer.token) },
    ],
    skipped: [],
    async close() {
      await Promise.all([keys.close?.(), cached.close?.(), uncached.close?.()]);
    },
  };
}
