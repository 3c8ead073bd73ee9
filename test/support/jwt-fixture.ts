// The usual JWT setup of the auth suites: a real provider, and an app whose jwt() method trusts it via discovery.
import { jwt, type AuthMethod, type JwtOptions } from '@tollgate/core';
import { startAuthApp, type AuthApp, type AuthAppOptions } from './auth-app.js';
import { jwtApi, startTestProvider, type TestProvider } from './oidc-test-provider.js';

export interface JwtFixture {
  readonly idp: TestProvider;
  readonly app: AuthApp;
  /** Claims of a good access token for this app, issued now and valid 10 minutes. */
  claims(extra?: Record<string, unknown>): Record<string, unknown>;
  close(): Promise<void>;
}

/** The jwt() options every suite starts from. */
export function jwtOptions(idp: TestProvider, extra: Partial<JwtOptions> = {}): JwtOptions {
  return { issuer: idp.issuer, audience: jwtApi, algorithms: ['RS256'], discovery: true, typ: 'at+jwt', ...extra } as JwtOptions;
}

/**
 * Starts a provider and an app with one jwt() method (plus `others`).
 *
 * @example
 * const { idp, app, claims } = await startJwtFixture();
 */
export async function startJwtFixture(extra: Partial<JwtOptions> = {}, others: readonly AuthMethod[] = [], appOptions: AuthAppOptions = {}, provider?: TestProvider): Promise<JwtFixture> {
  const idp = provider ?? (await startTestProvider());
  const app = await startAuthApp([jwt(jwtOptions(idp, extra)), ...others], appOptions);
  return {
    idp,
    app,
    claims(more = {}) {
      const now = Math.floor(Date.now() / 1000);
      return { iss: idp.issuer, aud: jwtApi, sub: 'svc-batch', client_id: 'svc-batch', scope: 'chat models', iat: now, exp: now + 600, jti: `jti-${Math.random()}`, ...more };
    },
    async close() {
      await app.close();
      if (provider === undefined) await idp.close();
    },
  };
}
