// The contract between authenticate and each credential method (API key now; JWT, introspection, mTLS later).
import type { AuthMethodName, Principal } from '../context/principal.js';
import type { TgContext } from '../context/tg-context.js';
import type { ClientCertificate } from '../mtls/client-certificate.js';

/** A credential as it was found on the request. */
export interface Credential {
  /** The token itself (the part after `Bearer `, or a dedicated header's value). */
  readonly value: string;
  /** Lower-case name of the header it came from; `tls` for a certificate from the TLS connection itself. */
  readonly header: string;
  /** The client certificate, for credentials that come with the connection (see `AuthMethod.fromConnection`). */
  readonly certificate?: ClientCertificate;
}

/** A successful verification. */
export interface Verified {
  readonly principal: Principal;
  /** True when a cached verification answered (no argon2, no signature check). */
  readonly cached: boolean;
}

/** One way of proving identity. `authenticate` picks the method by the credential's form. */
export interface AuthMethod {
  readonly name: AuthMethodName;
  /** Headers besides `Authorization` that carry this method's credentials (lower-case). */
  readonly headers: readonly string[];
  /** Cheap, syntactic test: does this credential have this method's form? Never does I/O. */
  accepts(credential: Credential): boolean;
  /**
   * Verifies the credential. Resolves the principal, or throws a TollgateError:
   * TG_INVALID_CREDENTIAL for a bad credential, TG_VERIFIER_UNAVAILABLE when the verifier is down.
   */
  verify(credential: Credential, context: TgContext): Promise<Verified>;
  /**
   * For methods whose credential comes with the connection rather than a header (client certificates):
   * the credential this request's connection carries, or undefined. Synchronous and without I/O; may
   * throw a TollgateError for a malformed value. `authenticate` refuses a request that carries both a
   * header credential and a connection credential (400), and verifies a connection credential with
   * the method that found it.
   */
  fromConnection?(context: TgContext): Credential | undefined;
  /** Releases timers and watchers. */
  close?(): Promise<void>;
  /** Resolves once what the method loads in the background (a store it connects to) is there; rejects with why not. */
  ready?(): Promise<void>;
}
