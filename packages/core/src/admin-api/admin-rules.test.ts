// The admin API's pure rules: which route a request names, which grants a caller may hand out, which tenant it acts for.
import { describe, expect, it } from 'vitest';
import type { Principal } from '../context/principal.js';
import type { TgContext } from '../context/tg-context.js';
import { adminCaller, assertSameTenant, assertWithinGrant } from './admin-access.js';
import { matchAdminRoute } from './admin-routes.js';

const principal = (extra: Partial<Principal> = {}): Principal => ({ subject: 'ana', kind: 'user', method: 'api_key', roles: ['dev'], scopes: ['admin:keys'], claims: { env: 'live' }, ...extra });
const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('matchAdminRoute', () => {
  it('names the operation and the decoded id; ignores a trailing slash', () => {
    expect(matchAdminRoute('post', '/keys/AbC123dEf456/revoke/', true)).toStrictEqual({ operation: 'keys.revoke', area: 'keys', id: 'AbC123dEf456' });
    expect(matchAdminRoute('PUT', '/tenants/acme%3Aeu/limits', true)).toStrictEqual({ operation: 'tenants.setLimits', area: 'tenants', id: 'acme:eu' });
  });

  it('answers 405 with Allow for a known path, and 404 for an unknown one or tenant routes without a store', () => {
    let allow: unknown;
    try {
      matchAdminRoute('DELETE', '/keys', true);
    } catch (error) {
      allow = (error as { code: string; headers: Record<string, string> }).headers['allow'];
      expect((error as { code: string }).code).toBe('TG_METHOD_NOT_ALLOWED');
    }
    expect(allow).toBe('GET, POST');
    expect(codeOf(() => matchAdminRoute('GET', '/tenants', false))).toBe('TG_UNKNOWN_ROUTE');
    expect(codeOf(() => matchAdminRoute('GET', '/keys/a/b/c', true))).toBe('TG_UNKNOWN_ROUTE');
    expect(codeOf(() => matchAdminRoute('GET', '/keys/%E0%A4%A', true))).toBe('TG_UNKNOWN_ROUTE');
  });
});

describe('adminCaller', () => {
  const context = (extra: Partial<TgContext>): TgContext => ({ decisions: {}, principal: principal(), ...extra }) as unknown as TgContext;
  it('takes the authorize decision when there is one, for exactly this action; else the scope', () => {
    expect(adminCaller(context({}), 'admin:keys').via).toBe('scope');
    expect(codeOf(() => adminCaller(context({}), 'admin:tenants'))).toBe('TG_INSUFFICIENT_SCOPE');
    expect(codeOf(() => adminCaller(context({ principal: undefined }), 'admin:keys'))).toBe('TG_MISSING_CREDENTIAL');
    const allowed = { allow: true, rule: 'r', provider: 'rbac', action: 'admin:keys' };
    expect(adminCaller(context({ decisions: { authz: allowed }, principal: principal({ scopes: [] }) }), 'admin:keys').via).toBe('authorize');
    expect(codeOf(() => adminCaller(context({ decisions: { authz: { ...allowed, action: 'admin:usage' } } }), 'admin:keys'))).toBe('TG_POLICY_DENIED');
    expect(codeOf(() => adminCaller(context({ decisions: { authz: { ...allowed, allow: false } } }), 'admin:keys'))).toBe('TG_POLICY_DENIED');
  });
});

describe('assertWithinGrant and assertSameTenant', () => {
  it("allows only the caller's roles and scopes, and models its patterns cover", () => {
    const limited = principal({ roles: ['dev', 'ops'], scopes: ['chat'], models: ['gpt-4o*', 'claude-3-haiku'] });
    expect(codeOf(() => assertWithinGrant(limited, { roles: ['dev'], scopes: ['chat'], models: ['gpt-4o-mini', 'gpt-4o*', 'claude-3-haiku'] }, 'k'))).toBeUndefined();
    expect(codeOf(() => assertWithinGrant(limited, { roles: ['admin'] }, 'k'))).toBe('TG_PRIVILEGE_ESCALATION');
    expect(codeOf(() => assertWithinGrant(limited, { scopes: ['embeddings'], models: ['gpt-4o'] }, 'k'))).toBe('TG_PRIVILEGE_ESCALATION');
    for (const models of [undefined, ['gpt-*'], ['*'], ['claude-3-*']]) {
      expect(codeOf(() => assertWithinGrant(limited, { ...(models === undefined ? {} : { models }) }, 'k')), String(models)).toBe('TG_PRIVILEGE_ESCALATION');
    }
    expect(codeOf(() => assertWithinGrant(principal(), { models: ['anything'] }, 'k'))).toBeUndefined();
  });

  it('confines a caller with a tenant to it; a caller without one is not confined', () => {
    expect(codeOf(() => assertSameTenant('acme', 'globex'))).toBe('TG_TENANT_MISMATCH');
    expect(codeOf(() => assertSameTenant('acme', undefined))).toBe('TG_TENANT_MISMATCH');
    expect(codeOf(() => assertSameTenant('acme', 'acme'))).toBeUndefined();
    expect(codeOf(() => assertSameTenant(undefined, 'globex'))).toBeUndefined();
  });
});
