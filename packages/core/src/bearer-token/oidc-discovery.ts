// OpenID Connect discovery: the issuer's metadata, fetched once on first use and checked against the issuer.
import { fetchJsonObject, providerUrl, RemoteEndpointError, type RemoteCallLimits } from './remote-endpoint.js';

/** The fields of the provider metadata tollgate uses. */
export interface ProviderMetadata {
  readonly issuer: string;
  readonly jwksUri?: URL;
  readonly introspectionEndpoint?: URL;
}

/** `<issuer>/.well-known/openid-configuration`, as OpenID Connect Discovery 1.0 §4 builds it. */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

function endpoint(doc: Record<string, unknown>, field: string): URL | undefined {
  const value = doc[field];
  if (value === undefined) return undefined;
  try {
    return providerUrl(value, field);
  } catch (cause) {
    throw new RemoteEndpointError(`discovery document has an unusable ${field}`, undefined, cause);
  }
}

/**
 * Reads the issuer's discovery document on first call (concurrent callers share one fetch), then
 * answers from memory. A failed fetch is not remembered: the next call tries again.
 *
 * @example
 * const metadata = oidcDiscovery('https://idp.example.com/', { timeoutMs: 3000, maxBytes: 524288 });
 * const { jwksUri } = await metadata();
 */
export function oidcDiscovery(issuer: string, limits: RemoteCallLimits): () => Promise<ProviderMetadata> {
  const url = providerUrl(discoveryUrl(issuer), 'discovery URL');
  let known: ProviderMetadata | undefined;
  let pending: Promise<ProviderMetadata> | undefined;
  const load = async (): Promise<ProviderMetadata> => {
    const doc = await fetchJsonObject(url, limits);
    // OpenID Connect Discovery §4.3: the issuer in the document must be exactly the one configured.
    if (doc['issuer'] !== issuer) throw new RemoteEndpointError('discovery document names a different issuer');
    const jwksUri = endpoint(doc, 'jwks_uri');
    const introspectionEndpoint = endpoint(doc, 'introspection_endpoint');
    return { issuer, ...(jwksUri === undefined ? {} : { jwksUri }), ...(introspectionEndpoint === undefined ? {} : { introspectionEndpoint }) };
  };
  return async () => {
    if (known !== undefined) return known;
    pending ??= load()
      .then((metadata) => (known = metadata))
      .finally(() => (pending = undefined));
    return pending;
  };
}
