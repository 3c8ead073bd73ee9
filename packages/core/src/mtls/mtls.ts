// The mTLS method: a client certificate from the TLS connection (authorized peers only) or from a
// trusted proxy's header, mapped to a principal by fingerprint, SAN or subject through a store.
import type { AuthMethod, Credential, Verified } from '../authenticate/auth-method.js';
import { VerifiedTokenCache } from '../bearer-token/verified-token-cache.js';
import type { Principal } from '../context/principal.js';
import type { TgContext } from '../context/tg-context.js';
import { ConfigError, TollgateError } from '../errors/tollgate-error.js';
import { ipInCidr, parseCidr, parseIp, type CidrBlock } from '../net/ip-address.js';
import { headerNames, wholeNumber } from '../options/option-checks.js';
import type { CertificateBinding, CertificateStore } from './certificate-store.js';
import type { ClientCertificate } from './client-certificate.js';
import { certificateFromTlsPeer } from './client-certificate.js';
import { parseCaCertificates, parseForwardedCertificate } from './forwarded-certificate.js';
import type { CertificateMatch, MtlsOptions } from './mtls-options.js';

/** The mTLS method. */
export interface MtlsMethod extends AuthMethod {
  readonly name: 'mtls';
  readonly store: CertificateStore;
}

const refuse = (): never => {
  throw new TollgateError('TG_INVALID_CREDENTIAL');
};

function identities(certificate: ClientCertificate, match: readonly CertificateMatch[]): string[] {
  return match.flatMap((kind) => {
    if (kind === 'fingerprint') return [`fingerprint:${certificate.fingerprint256}`];
    if (kind === 'san') return certificate.subjectAltNames.map((name) => `san:${name}`);
    return certificate.subject === '' ? [] : [`subject:${certificate.subject}`];
  });
}

function toPrincipal(binding: CertificateBinding, certificate: ClientCertificate, identity: string): Principal {
  return Object.freeze({
    subject: binding.subject,
    kind: binding.kind ?? 'service',
    method: 'mtls',
    ...(binding.tenantId === undefined ? {} : { tenantId: binding.tenantId }),
    roles: Object.freeze([...(binding.roles ?? [])]),
    scopes: Object.freeze([...(binding.scopes ?? [])]),
    ...(binding.models === undefined ? {} : { models: Object.freeze([...binding.models]) }),
    claims: Object.freeze({
      ...binding.claims,
      cert_subject: certificate.subject,
      cert_fingerprint256: certificate.fingerprint256,
      cert_san: [...certificate.subjectAltNames],
      cert_source: certificate.source,
      matched_identity: identity,
    }),
  } satisfies Principal);
}

async function lookup(store: CertificateStore, identity: string, timeoutMs: number): Promise<CertificateBinding | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`certificate store did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([store.get(identity), timeout]);
  } catch (cause) {
    throw new TollgateError('TG_VERIFIER_UNAVAILABLE', { retryAfterSeconds: 1, cause });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Authenticates client certificates. Give the https server `requestCert: true` and
 * `rejectUnauthorized: false` (so a missing or bad certificate gets a 401, not a failed handshake),
 * and `ca` set to the CA(s) that issue client certificates.
 *
 * @example
 * const certificates = memoryCertificateStore({ 'san:URI:spiffe://acme/batch': { subject: 'svc-batch', tenantId: 'acme' } });
 * const tg = gate({ authenticate: { methods: [mtls({ store: certificates })] } });
 */
export function mtls(options: MtlsOptions): MtlsMethod {
  if (options === null || typeof options !== 'object' || typeof options.store?.get !== 'function') {
    throw new ConfigError('mtls: options.store must be a CertificateStore (an object with get(identity))');
  }
  const { store } = options;
  const now = options.now ?? Date.now;
  const match = options.match ?? ['fingerprint', 'san', 'subject'];
  if (!Array.isArray(match) || match.length === 0 || match.some((m) => !['fingerprint', 'san', 'subject'].includes(m))) {
    throw new ConfigError('mtls.match must list some of "fingerprint", "san", "subject"');
  }
  const storeTimeoutMs = wholeNumber(options.storeTimeoutMs, 'mtls.storeTimeoutMs', 2_000, 1, 60_000);
  const cache = options.cache === false ? undefined : new VerifiedTokenCache({ maxEntries: wholeNumber(options.cache?.maxEntries, 'mtls.cache.maxEntries', 10_000, 1, 10_000_000), now });
  const ttlMs = options.cache === false ? 0 : wholeNumber(options.cache?.ttlMs, 'mtls.cache.ttlMs', 30_000, 1, 3_600_000);
  const forwarded = options.forwarded;
  let forwardedHeader: string | undefined;
  let proxies: CidrBlock[] | undefined;
  const cas = forwarded?.ca === undefined ? [] : parseCaCertificates(forwarded.ca, 'mtls.forwarded.ca');
  if (forwarded !== undefined) {
    forwardedHeader = headerNames([forwarded.header], 'mtls.forwarded.header', [])[0];
    if (forwardedHeader === 'authorization') throw new ConfigError('mtls.forwarded.header cannot be Authorization');
    if (!['rfc9440', 'pem-urlencoded', 'xfcc'].includes(forwarded.format)) throw new ConfigError('mtls.forwarded.format must be "rfc9440", "pem-urlencoded" or "xfcc"');
    proxies = forwarded.proxies?.map((cidr) => {
      try {
        return parseCidr(cidr);
      } catch (error) {
        throw new ConfigError(`mtls.forwarded.proxies: ${(error as Error).message}`);
      }
    });
  }

  const cameThroughProxy = (context: TgContext): boolean => {
    if (proxies === undefined) return context.peerTrusted;
    const peer = parseIp(context.request.remoteAddress ?? '');
    return peer !== undefined && proxies.some((block) => ipInCidr(peer, block));
  };

  return {
    name: 'mtls',
    headers: [],
    store,
    accepts: () => false,
    fromConnection(context: TgContext): Credential | undefined {
      if (forwarded !== undefined && forwardedHeader !== undefined && cameThroughProxy(context)) {
        const values = context.request.headerValues(forwardedHeader);
        if (values.length === 0) return undefined;
        if (values.length > 1) throw new TollgateError('TG_CONFLICTING_CREDENTIALS', { message: `The ${forwardedHeader} header appears more than once.` });
        const certificate = parseForwardedCertificate(values[0]!, forwarded.format, cas);
        return { value: certificate.fingerprint256, header: forwardedHeader, certificate };
      }
      const certificate = certificateFromTlsPeer(context.request.tls);
      return certificate === undefined ? undefined : { value: certificate.fingerprint256, header: 'tls', certificate };
    },
    async verify(credential: Credential): Promise<Verified> {
      const certificate = credential.certificate;
      if (certificate === undefined || !certificate.authorized) return refuse();
      const time = now();
      if (!(certificate.validFrom <= time && time < certificate.validTo)) return refuse();
      const fingerprint = cache?.fingerprint(`${certificate.source}:${certificate.fingerprint256}`);
      const hit = fingerprint === undefined ? undefined : cache?.get(fingerprint);
      if (hit?.fresh === true) return { principal: hit.principal, cached: true };
      for (const identity of identities(certificate, match)) {
        const binding = await lookup(store, identity, storeTimeoutMs);
        if (binding === undefined) continue;
        const principal = toPrincipal(binding, certificate, identity);
        if (fingerprint !== undefined) cache?.set(fingerprint, principal, { freshUntil: Math.min(time + ttlMs, certificate.validTo) });
        return { principal, cached: false };
      }
      return refuse();
    },
  };
}
