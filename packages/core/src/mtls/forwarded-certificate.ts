// Client certificates forwarded by a TLS-terminating proxy: RFC 9440 `Client-Cert`, URL-encoded PEM (nginx, AWS ALB), Envoy XFCC.
import { X509Certificate } from 'node:crypto';
import { ConfigError, TollgateError } from '../errors/tollgate-error.js';
import { certificateFromX509, type ClientCertificate } from './client-certificate.js';

/**
 * How the proxy writes the certificate:
 * - `rfc9440`: `Client-Cert: :<base64 DER>:` (RFC 9440; Cloudflare, HAProxy, newer nginx setups),
 * - `pem-urlencoded`: URL-encoded PEM (nginx `$ssl_client_escaped_cert`, AWS ALB `X-Amzn-Mtls-Clientcert`),
 * - `xfcc`: Envoy `x-forwarded-client-cert` with a `Cert="…"` element (exactly one element: configure Envoy to SANITIZE_SET).
 */
export type ForwardedCertificateFormat = 'rfc9440' | 'pem-urlencoded' | 'xfcc';

/** Largest forwarded header value parsed (a certificate with a long chain is a few KB). */
export const maxForwardedCertificateLength = 16_384;

const refuse = (): never => {
  throw new TollgateError('TG_INVALID_CREDENTIAL');
};

function pemFromXfcc(value: string): string {
  const elements = value.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
  // Several elements mean several hops appended; which one is the client is the proxy's policy, not a guess of ours.
  if (elements.length !== 1) return refuse();
  const pairs = elements[0]!.split(/;(?=(?:[^"]*"[^"]*")*[^"]*$)/);
  const cert = pairs.map((p) => p.trim()).find((p) => p.toLowerCase().startsWith('cert='));
  if (cert === undefined) return refuse();
  const raw = cert.slice(5);
  return decodeURIComponent(raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw);
}

function x509From(value: string, format: ForwardedCertificateFormat): X509Certificate {
  if (format === 'rfc9440') {
    const match = /^:([A-Za-z0-9+/]+={0,2}):$/.exec(value.trim());
    if (match === null) return refuse();
    return new X509Certificate(Buffer.from(match[1]!, 'base64'));
  }
  const pem = format === 'xfcc' ? pemFromXfcc(value) : decodeURIComponent(value.trim());
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) return refuse();
  return new X509Certificate(pem);
}

/**
 * Parses a forwarded header value into a certificate. When `cas` are given, the certificate must be
 * issued and signed by one of them (defence in depth: the proxy should already have checked).
 * A value that does not parse is a bad credential (401).
 *
 * @example
 * parseForwardedCertificate(':MIIB…:', 'rfc9440', []).fingerprint256
 */
export function parseForwardedCertificate(value: string, format: ForwardedCertificateFormat, cas: readonly X509Certificate[]): ClientCertificate {
  if (value.length > maxForwardedCertificateLength) return refuse();
  let x509: X509Certificate;
  try {
    x509 = x509From(value, format);
  } catch (error) {
    if (error instanceof TollgateError) throw error;
    return refuse();
  }
  const authorized = cas.length === 0 || cas.some((ca) => x509.checkIssued(ca) && x509.verify(ca.publicKey));
  return certificateFromX509(x509, authorized);
}

/**
 * Reads CA certificates (PEM text, one or more per string) at startup.
 *
 * @example
 * const cas = parseCaCertificates([readFileSync('ca.pem', 'utf8')], 'mtls.forwarded.ca');
 */
export function parseCaCertificates(pems: readonly string[], name: string): X509Certificate[] {
  if (!Array.isArray(pems)) throw new ConfigError(`${name} must be a list of PEM certificates`);
  const found: X509Certificate[] = [];
  pems.forEach((text, index) => {
    const blocks = typeof text === 'string' ? (text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []) : [];
    if (blocks.length === 0) throw new ConfigError(`${name}[${index}] holds no PEM certificate`);
    for (const block of blocks) {
      try {
        found.push(new X509Certificate(block));
      } catch (error) {
        throw new ConfigError(`${name}[${index}] is not a valid certificate: ${(error as Error).message}`);
      }
    }
  });
  return found;
}
