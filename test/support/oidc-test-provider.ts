// A real OpenID provider (the oidc-provider package) on loopback for the auth suites: discovery, JWKS,
// client-credentials tokens (JWT and opaque), introspection, key rotation, and switchable outages.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { newKeyPair, signJwt, type TestKeyPair } from './jws-signer.js';

/** The resource (audience) whose tokens are JWTs, and the one whose tokens are opaque. */
export const jwtApi = 'https://api.tollgate.test';
export const opaqueApi = 'https://opaque.tollgate.test';
/** A client that gets tokens with the client-credentials grant, and the resource server tollgate introspects as. */
export const serviceClient = { id: 'svc-batch', secret: 'svc-batch-secret-0123456789abcdef0123456789abcdef' };
export const resourceClient = { id: 'tollgate', secret: 'tollgate-secret-0123456789abcdef0123456789abcdef01' };

/** What the provider's HTTP side does: answer normally, or fail in one of the ways a real one does. */
export type ProviderMode = 'ok' | 'down' | 'garbage' | 'hang';

/** A provider signing key (RS256 or ES256). */
export type SigningKey = TestKeyPair;

export interface TestProvider {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly introspectionEndpoint: string;
  /** Requests seen per path (`/jwks`, `/.well-known/openid-configuration`, `/token/introspection`, …). */
  readonly hits: Map<string, number>;
  /** What the provider does from now on, for every path or only `path`. */
  setMode(mode: ProviderMode, path?: string): void;
  /** Restarts the provider (same issuer and port) signing with `keys[0]` and publishing all of `keys`. */
  rotate(keys: readonly SigningKey[]): void;
  /** The keys in use, signing key first. */
  readonly keys: readonly SigningKey[];
  /** A real access token from the client-credentials grant. */
  clientCredentialsToken(resource?: string, scope?: string): Promise<string>;
  /** Revokes a token at the provider (RFC 7009). */
  revoke(token: string): Promise<void>;
  /** Signs any header and payload with a provider key, for tests that need valid signatures on crafted claims. */
  sign(payload: Record<string, unknown> | string, header?: Record<string, unknown>, key?: SigningKey): string;
  close(): Promise<void>;
}

/** A fresh provider signing key. */
export function newSigningKey(kid: string, alg: 'RS256' | 'ES256' = 'RS256'): SigningKey {
  return newKeyPair(alg, kid);
}

function buildProvider(issuer: string, keys: readonly SigningKey[]): Provider {
  const resources: Record<string, object> = {
    [jwtApi]: { scope: 'chat models', audience: jwtApi, accessTokenFormat: 'jwt', accessTokenTTL: 600, jwt: { sign: { alg: keys[0]!.alg } } },
    [opaqueApi]: { scope: 'chat models', audience: opaqueApi, accessTokenFormat: 'opaque', accessTokenTTL: 600 },
  };
  return new Provider(issuer, {
    clients: [
      { client_id: serviceClient.id, client_secret: serviceClient.secret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [] },
      { client_id: resourceClient.id, client_secret: resourceClient.secret, grant_types: [], redirect_uris: [], response_types: [] },
    ],
    jwks: { keys: keys.map((k) => k.privateJwk) },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: async () => true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => jwtApi,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          const info = resources[resource];
          if (info === undefined) throw new Error(`unknown resource ${resource}`);
          return info;
        },
      },
    },
    extraTokenClaims: () => ({ org_id: 'acme', realm_access: { roles: ['batch'] } }),
    ttl: { ClientCredentials: 600, AccessToken: 600 },
  });
}

function answer(res: ServerResponse, mode: ProviderMode): boolean {
  if (mode === 'down') {
    res.writeHead(503, { 'content-type': 'text/plain' }).end('maintenance');
    return true;
  }
  if (mode === 'garbage') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": [ {"kty": "RSA", "n": 1');
    return true;
  }
  return mode === 'hang';
}

/**
 * Starts the provider on 127.0.0.1 with one RS256 key.
 *
 * @example
 * const idp = await startTestProvider();
 * const token = await idp.clientCredentialsToken();
 */
export async function startTestProvider(): Promise<TestProvider> {
  const hits = new Map<string, number>();
  const modes = new Map<string, ProviderMode>();
  let provider: Provider | undefined;
  let keys: readonly SigningKey[] = [newSigningKey('key-1')];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (answer(res, modes.get(path) ?? modes.get('*') ?? 'ok')) return;
    void provider!.callback()(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = buildProvider(issuer, keys);
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    introspectionEndpoint: `${issuer}/token/introspection`,
    hits,
    get keys() {
      return keys;
    },
    setMode(mode, path = '*') {
      if (path === '*') modes.clear();
      modes.set(path, mode);
    },
    rotate(next) {
      keys = [...next];
      provider = buildProvider(issuer, keys);
    },
    async clientCredentialsToken(resource = jwtApi, scope = 'chat models') {
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { authorization: basic(serviceClient.id, serviceClient.secret), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope }).toString(),
      });
      const body = (await res.json()) as { access_token?: string };
      if (!res.ok || body.access_token === undefined) throw new Error(`token endpoint answered ${res.status}: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    async revoke(token) {
      const res = await fetch(`${issuer}/token/revocation`, {
        method: 'POST',
        headers: { authorization: basic(serviceClient.id, serviceClient.secret), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
      });
      if (!res.ok) throw new Error(`revocation endpoint answered ${res.status}`);
    },
    sign(payload, header = {}, key = keys[0]!) {
      return signJwt(payload, key, header);
    },
    async close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
