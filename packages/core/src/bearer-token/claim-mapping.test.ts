import { describe, expect, it } from 'vitest';
import { claimAt, principalFromClaims, resolveClaimMapping } from './claim-mapping.js';

const mapping = (m = {}) => resolveClaimMapping(m, 'jwt.claims');

describe('claim mapping', () => {
  it('reads whole claim names first, then dot paths, then explicit segments', () => {
    const claims = { 'https://x.example/roles': ['a'], realm_access: { roles: ['r1', 'r2'] }, 'a.b': 1, a: { b: 2 } };
    expect(claimAt(claims, ['https://x.example/roles'])).toEqual(['a']);
    expect(claimAt(claims, ['realm_access.roles'])).toEqual(['r1', 'r2']);
    expect(claimAt(claims, ['a.b'])).toBe(1);
    expect(claimAt(claims, ['a', 'b'])).toBe(2);
    expect(claimAt(claims, ['__proto__'])).toBeUndefined();
    expect(claimAt(claims, ['constructor.name'])).toBeUndefined();
  });

  it('maps subject, tenant, roles and scopes, deduplicated and frozen', () => {
    const principal = principalFromClaims({ sub: 'alice', org: 'acme', groups: ['x', 'x', 'y', 3], scope: 'a  b a' }, mapping({ tenant: 'org', roles: 'groups' }), 'jwt');
    expect(principal).toMatchObject({ subject: 'alice', kind: 'user', method: 'jwt', tenantId: 'acme', roles: ['x', 'y'], scopes: ['a', 'b'] });
    expect(Object.isFrozen(principal) && Object.isFrozen(principal.roles) && Object.isFrozen(principal.claims)).toBe(true);
    expect(principalFromClaims({ sub: 'a', scp: ['read', 'write'] }, mapping(), 'jwt').scopes).toEqual(['read', 'write']);
  });

  it('tells service tokens from user tokens in auto mode', () => {
    const kind = (claims: Record<string, unknown>) => principalFromClaims(claims, mapping(), 'jwt').kind;
    expect(kind({ sub: 'svc', client_id: 'svc' })).toBe('service');
    expect(kind({ sub: 'x@clients', gty: 'client-credentials' })).toBe('service');
    expect(kind({ sub: 'guid', idtyp: 'app' })).toBe('service');
    expect(kind({ sub: 'uuid', preferred_username: 'service-account-batch' })).toBe('service');
    expect(kind({ client_id: 'svc' })).toBe('service');
    expect(kind({ sub: 'alice', client_id: 'web-app' })).toBe('user');
    expect(principalFromClaims({ sub: 'svc', client_id: 'svc' }, mapping({ kind: 'user' }), 'jwt').kind).toBe('user');
  });

  it('refuses a token without a subject or with a tenant claim that is not a string', () => {
    expect(() => principalFromClaims({ scope: 'a' }, mapping(), 'jwt')).toThrow(expect.objectContaining({ code: 'TG_INVALID_CREDENTIAL' }));
    expect(() => principalFromClaims({ sub: 42 }, mapping(), 'jwt')).toThrow(expect.objectContaining({ code: 'TG_INVALID_CREDENTIAL' }));
    expect(() => principalFromClaims({ sub: 'a', t: ['acme'] }, mapping({ tenant: 't' }), 'jwt')).toThrow(expect.objectContaining({ code: 'TG_INVALID_CREDENTIAL' }));
    expect(principalFromClaims({ sub: 'a' }, mapping({ tenant: 't' }), 'jwt')).not.toHaveProperty('tenantId');
    // A configured subject claim that is missing does not fall back to client_id.
    expect(() => principalFromClaims({ client_id: 'svc' }, mapping({ subject: 'oid' }), 'jwt')).toThrow();
  });

  it('refuses bad mappings at startup', () => {
    expect(() => resolveClaimMapping({ roles: '' }, 'jwt.claims')).toThrow(/jwt\.claims\.roles/);
    expect(() => resolveClaimMapping({ tenant: [] as string[] }, 'jwt.claims')).toThrow(/jwt\.claims\.tenant/);
    expect(() => resolveClaimMapping({ kind: 'robot' as never }, 'jwt.claims')).toThrow(/kind/);
  });
});
