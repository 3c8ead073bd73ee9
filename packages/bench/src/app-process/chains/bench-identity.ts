// The identities the apps accept: an API key of tenant `acme`, the tenant itself, and a signed JWT.
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK } from 'jose';
import { createApiKey, type Tenant, type WritableKeyStore } from '@tollgate/core';

/** The tenant every bench caller belongs to. */
export const benchTenant: Tenant = { id: 'acme', status: 'active', tier: 'pro', tags: ['bench'] };

/** The caller's roles; the RBAC policy and the Cedar policies grant `developer` chat on gpt-4o models. */
export const benchRoles = ['developer'] as const;

/**
 * Creates the bench API key (argon2id at its production cost: the first request pays it once, the
 * verified-key cache answers the rest) and stores its record.
 *
 * @example
 * const key = await benchApiKey(memoryKeyStore()); // 'tg_live_…'
 */
export async function benchApiKey(store: WritableKeyStore): Promise<string> {
  const { key, record } = await createApiKey({ subject: 'bench-user', tenantId: benchTenant.id, roles: [...benchRoles], env: 'live', name: 'bench' });
  await store.put(record);
  return key;
}

/** A JWT issuer of the bench's own: its public key in both forms and one long-lived token. */
export interface BenchJwtIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly algorithm: 'RS256';
  readonly publicKeyPem: string;
  readonly publicJwk: JWK;
  /** A token for `bench-user` of tenant `acme`, valid for two hours. */
  readonly token: string;
  /** Signs another token for the same caller (a distinct `jti`), e.g. to measure cache misses. */
  sign(): Promise<string>;
}

/**
 * Makes an RS256 key pair and signs tokens with the claims the chains map: `sub`, `tenant_id`,
 * `roles`, `scope`.
 *
 * @example
 * const issuer = await benchJwtIssuer();
 * fetch(url, { headers: { authorization: `Bearer ${issuer.token}` } });
 */
export async function benchJwtIssuer(): Promise<BenchJwtIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const issuer = 'https://issuer.bench.invalid/';
  const audience = 'https://api.bench.invalid';
  let serial = 0;
  const sign = () =>
    new SignJWT({ tenant_id: benchTenant.id, roles: [...benchRoles], scope: 'inference' })
      .setProtectedHeader({ alg: 'RS256', kid: 'bench-1', typ: 'JWT' })
      .setSubject('bench-user')
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setJti(`bench-${++serial}`)
      .setExpirationTime('2h')
      .sign(privateKey);
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'bench-1', alg: 'RS256', use: 'sig' };
  return { issuer, audience, algorithm: 'RS256', publicKeyPem: await exportSPKI(publicKey), publicJwk, token: await sign(), sign };
}
