// Options of the mtls() method, with their documented defaults.
import type { CertificateStore } from './certificate-store.js';
import type { ForwardedCertificateFormat } from './forwarded-certificate.js';

/** Which certificate identities are looked up in the store. */
export type CertificateMatch = 'fingerprint' | 'san' | 'subject';

/** A client certificate forwarded by a TLS-terminating proxy. */
export interface ForwardedCertificateOptions {
  /** The header the proxy sets, e.g. `client-cert`, `x-forwarded-client-cert`, `x-amzn-mtls-clientcert`, `x-ssl-client-cert`. */
  readonly header: string;
  /** How the proxy writes it. */
  readonly format: ForwardedCertificateFormat;
  /**
   * Addresses or CIDR blocks of the proxies allowed to set the header. From any other peer the
   * header is ignored. @default the pipeline's `trustProxy` rules (`context.peerTrusted`)
   */
  readonly proxies?: readonly string[];
  /** PEM CA certificates the forwarded certificate must be issued by. @default none: the proxy's own verification is trusted */
  readonly ca?: readonly string[];
}

/** Options of {@link mtls}. */
export interface MtlsOptions {
  /** Maps certificate identities to principals. */
  readonly store: CertificateStore;
  /** Identities tried, in order; the first bound one wins. @default ['fingerprint', 'san', 'subject'] */
  readonly match?: readonly CertificateMatch[];
  /**
   * Read the certificate from a header set by a trusted proxy instead of this server's TLS handshake.
   * A request that came through such a proxy is judged by the header only (never by the proxy's own
   * TLS certificate); any other request by its own TLS connection.
   * @default undefined: only this server's TLS connection counts
   */
  readonly forwarded?: ForwardedCertificateOptions;
  /** Store lookups cached per certificate, never past the certificate's expiry. `false` asks the store every time. */
  readonly cache?:
    | {
        /** @default 30000 */
        readonly ttlMs?: number;
        /** @default 10000 */
        readonly maxEntries?: number;
      }
    | false;
  /** A store lookup slower than this is a 503. @default 2000 */
  readonly storeTimeoutMs?: number;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}
