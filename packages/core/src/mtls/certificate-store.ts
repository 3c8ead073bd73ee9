// Which principal a client certificate stands for: bindings keyed by fingerprint, SAN or subject, and the in-memory store.
import { ConfigError } from '../errors/tollgate-error.js';

/** The principal a certificate is bound to (the method adds `method: 'mtls'` and certificate claims). */
export interface CertificateBinding {
  readonly subject: string;
  /** @default 'service' */
  readonly kind?: 'user' | 'service';
  readonly tenantId?: string;
  /** @default [] */
  readonly roles?: readonly string[];
  /** @default [] */
  readonly scopes?: readonly string[];
  readonly models?: readonly string[];
  /** Extra, non-secret metadata copied into the principal's claims. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/**
 * Looks bindings up by certificate identity, one of:
 * - `fingerprint:AB:CD:…` (SHA-256, as normalized by {@link certificateIdentity}),
 * - `san:URI:spiffe://acme/batch`, `san:DNS:svc.acme.internal`, `san:email:ops@acme.example`,
 * - `subject:CN=svc-batch,O=Acme` (RFC 4514, most specific first).
 */
export interface CertificateStore {
  get(identity: string): Promise<CertificateBinding | undefined>;
  /** Releases connections and watchers. */
  close?(): Promise<void>;
}

/** A store that can also be written (the memory store, and stores an app fills at runtime). */
export interface WritableCertificateStore extends CertificateStore {
  put(identity: string, binding: CertificateBinding): Promise<void>;
  delete(identity: string): Promise<boolean>;
}

const fingerprintHex = /^[0-9a-f]{64}$/i;

/**
 * Normalizes an identity key: `fingerprint:` values become upper-case colon-separated hex (any case,
 * with or without colons, is accepted); other kinds are kept as written. Throws for an unknown kind
 * or a fingerprint that is not 32 bytes of hex.
 *
 * @example
 * certificateIdentity('fingerprint:ab12…') // 'fingerprint:AB:12:…'
 */
export function certificateIdentity(identity: string): string {
  const colon = identity.indexOf(':');
  const kind = identity.slice(0, colon);
  const value = identity.slice(colon + 1);
  if (colon < 1 || value === '' || !['fingerprint', 'san', 'subject'].includes(kind)) {
    throw new ConfigError(`certificate identity ${JSON.stringify(identity.slice(0, 80))} must start with fingerprint:, san: or subject:`);
  }
  if (kind !== 'fingerprint') return identity;
  const hex = value.replaceAll(':', '');
  if (!fingerprintHex.test(hex)) throw new ConfigError('a fingerprint: identity must be a SHA-256 fingerprint (64 hex digits, colons optional)');
  return `fingerprint:${hex.toUpperCase().match(/../g)!.join(':')}`;
}

function checkBinding(binding: CertificateBinding, identity: string): CertificateBinding {
  if (binding === null || typeof binding !== 'object' || typeof binding.subject !== 'string' || binding.subject === '') {
    throw new ConfigError(`the binding of ${identity} needs a subject`);
  }
  if (binding.kind !== undefined && binding.kind !== 'user' && binding.kind !== 'service') throw new ConfigError(`the binding of ${identity} has an unknown kind`);
  return Object.freeze({ ...binding });
}

/**
 * An in-memory certificate store.
 *
 * @example
 * const certificates = memoryCertificateStore({ 'san:URI:spiffe://acme/batch': { subject: 'svc-batch', tenantId: 'acme' } });
 * const method = mtls({ store: certificates });
 */
export function memoryCertificateStore(initial: Readonly<Record<string, CertificateBinding>> = {}): WritableCertificateStore {
  const bindings = new Map<string, CertificateBinding>();
  for (const [identity, binding] of Object.entries(initial)) bindings.set(certificateIdentity(identity), checkBinding(binding, identity));
  return {
    async get(identity) {
      try {
        return bindings.get(certificateIdentity(identity));
      } catch {
        return undefined;
      }
    },
    async put(identity, binding) {
      bindings.set(certificateIdentity(identity), checkBinding(binding, identity));
    },
    async delete(identity) {
      return bindings.delete(certificateIdentity(identity));
    },
    async close() {},
  };
}
