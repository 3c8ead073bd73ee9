// The full chains: inference log to a file, API key or JWT, tenant, validation, RBAC, request and token limits.
import { join } from 'node:path';
import {
  apiKey,
  authorize,
  gate,
  inferenceLog,
  jwt,
  memoryKeyStore,
  memoryTenantStore,
  pinoAuditSink,
  rateLimit,
  rbac,
  resolveTenant,
  type ApiKeyOptions,
  type AuthMethod,
} from '@tollgate/core';
import { benchApiKey, benchJwtIssuer, benchTenant } from './bench-identity.js';
import { benchRbacPolicy, manyRules, requestAndTokenRules } from './bench-policy.js';
import { noFloodCredentials, type BuiltChain, type ChainDeps } from './build-chain.js';
import { benchValidation } from './bench-validation.js';

/** What a caller of {@link fullChain} may change, for a measurement the default chain cannot make. */
export interface FullChainOptions {
  /** The API key's failure throttles (`full` and `full-redis`); the library's defaults when absent. */
  readonly apiKeyThrottle?: ApiKeyOptions['throttle'];
}

async function credentialMethod(kind: 'api-key' | 'jwt', options: FullChainOptions): Promise<{ method: AuthMethod; headers: Record<string, string> }> {
  if (kind === 'jwt') {
    const issuer = await benchJwtIssuer();
    const method = jwt({
      issuer: issuer.issuer,
      audience: issuer.audience,
      algorithms: [issuer.algorithm],
      publicKeys: [issuer.publicJwk],
      claims: { tenant: 'tenant_id', roles: 'roles' },
    });
    return { method, headers: { authorization: `Bearer ${issuer.token}` } };
  }
  const store = memoryKeyStore();
  const key = await benchApiKey(store);
  return { method: apiKey({ store, ...(options.apiKeyThrottle === undefined ? {} : { throttle: options.apiKeyThrottle }) }), headers: { authorization: `Bearer ${key}` } };
}

/**
 * Builds `full` (API key, memory store), `full-jwt` (RS256 JWT, memory store) or `full-redis` (API
 * key, five limits in Redis). Every step runs on every request; the limits are high enough never to
 * refuse, so each request is checked, reserved and settled.
 *
 * @example
 * const chain = await fullChain('full', deps);
 */
export async function fullChain(name: 'full' | 'full-jwt' | 'full-redis', deps: ChainDeps, options: FullChainOptions = {}): Promise<BuiltChain> {
  const { method, headers } = await credentialMethod(name === 'full-jwt' ? 'jwt' : 'api-key', options);
  // Imported only here, so the memory-store chains run without @tollgate/redis.
  const redis = name === 'full-redis' ? (await import('./counted-redis-store.js')).countedRedisStore(deps.redisUrl, (counter) => deps.counters.add(counter)) : undefined;
  if (redis !== undefined) await redis.client.ping();
  const tg = gate({
    inferenceLog: inferenceLog({ sinks: [pinoAuditSink({ destination: { path: join(deps.workDir, `inference-${name}-${process.pid}.jsonl`) } })] }),
    authenticate: { methods: [method] },
    resolveTenant: resolveTenant({ store: memoryTenantStore([benchTenant]) }),
    validateRequest: benchValidation(),
    authorize: authorize({ provider: rbac({ policy: benchRbacPolicy }) }),
    rateLimit: rateLimit({ rules: redis === undefined ? requestAndTokenRules : manyRules, ...(redis === undefined ? {} : { store: redis.store }) }),
  });
  await tg.ready();
  return {
    gate: tg,
    headers,
    badCredentials: noFloodCredentials,
    async close() {
      await tg.close();
      redis?.client.disconnect();
    },
  };
}
