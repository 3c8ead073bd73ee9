// A client certificate as the mTLS method reads it, from Node's TLS peer or from a certificate a proxy forwarded.
import type { X509Certificate } from 'node:crypto';
import type { TlsPeer } from '../request/tg-request.js';

/** The parts of a client certificate that identify its holder. */
export interface ClientCertificate {
  /** `tls`: this server's own TLS handshake; `forwarded`: a header set by a trusted proxy. */
  readonly source: 'tls' | 'forwarded';
  /** SHA-256 fingerprint, upper-case hex pairs joined by `:` (Node's format). */
  readonly fingerprint256: string;
  /** Subject as an RFC 4514 string, most specific first: `CN=svc-batch,O=Acme,C=US`. */
  readonly subject: string;
  /** Subject alternative names as Node prints them: `DNS:svc.acme.internal`, `URI:spiffe://acme/batch`, `email:…`, `IP Address:…`. */
  readonly subjectAltNames: readonly string[];
  /** Validity period in epoch milliseconds; NaN when unreadable. */
  readonly validFrom: number;
  readonly validTo: number;
  /** Whether the chain was verified (by Node's TLS layer, or by the trusted proxy and the configured CAs). */
  readonly authorized: boolean;
}

// RFC 4514 §2.4: characters escaped in an attribute value.
function escapeValue(value: string): string {
  let out = value.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`);
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ') && out.length > 1) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** Builds the RFC 4514 string from name parts given in certificate order (least specific first). */
export function formatSubject(parts: ReadonlyArray<readonly [string, string]>): string {
  return [...parts].reverse().map(([type, value]) => `${type}=${escapeValue(value)}`).join(',');
}

function partsOfPeerSubject(subject: TlsPeer['subject']): Array<[string, string]> {
  const parts: Array<[string, string]> = [];
  for (const [type, value] of Object.entries(subject ?? {})) {
    if (typeof value === 'string') parts.push([type, value]);
    else if (Array.isArray(value)) for (const v of value as readonly string[]) parts.push([type, v]);
  }
  return parts;
}

/** Splits Node's `subjectAltName` text (`DNS:a, URI:b`; values with commas come JSON-quoted). */
export function parseSubjectAltNames(text: string | undefined): string[] {
  if (text === undefined || text === '') return [];
  const names: string[] = [];
  const entry = /\s*([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)\s*(?:,|$)/gy;
  let match: RegExpExecArray | null;
  while (entry.lastIndex < text.length && (match = entry.exec(text)) !== null) {
    let value = match[2]!;
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        continue;
      }
    }
    names.push(`${match[1]!.trim()}:${value}`);
  }
  return names;
}

/**
 * The certificate of a TLS connection, or undefined when the client presented none.
 *
 * @example
 * const certificate = certificateFromTlsPeer(request.tls);
 */
export function certificateFromTlsPeer(peer: TlsPeer | undefined): ClientCertificate | undefined {
  if (peer === undefined || typeof peer.fingerprint256 !== 'string' || peer.fingerprint256 === '') return undefined;
  return {
    source: 'tls',
    fingerprint256: peer.fingerprint256.toUpperCase(),
    subject: formatSubject(partsOfPeerSubject(peer.subject)),
    subjectAltNames: parseSubjectAltNames(peer.subjectAltName),
    validFrom: Date.parse(peer.validFrom ?? ''),
    validTo: Date.parse(peer.validTo ?? ''),
    authorized: peer.authorized === true,
  };
}

/**
 * A certificate a trusted proxy forwarded, already parsed; `authorized` says whether it passed the
 * configured CA check (true when no CAs are configured: the proxy verified it).
 *
 * @example
 * certificateFromX509(new X509Certificate(pem), true).subject // 'CN=svc-batch,O=Acme'
 */
export function certificateFromX509(x509: X509Certificate, authorized: boolean): ClientCertificate {
  const parts = x509.subject
    .split('\n')
    .filter((line) => line.includes('='))
    .map((line): [string, string] => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
  return {
    source: 'forwarded',
    fingerprint256: x509.fingerprint256.toUpperCase(),
    subject: formatSubject(parts),
    subjectAltNames: parseSubjectAltNames(x509.subjectAltName),
    validFrom: Date.parse(x509.validFrom),
    validTo: Date.parse(x509.validTo),
    authorized,
  };
}
