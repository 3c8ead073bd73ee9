// Who is calling and for which tenant: the shapes every step after authentication reads.

/** How the caller proved who they are. */
export type AuthMethodName = 'api_key' | 'jwt' | 'oauth_introspection' | 'mtls';

/** The authenticated caller. Every method maps its credential to this one shape. */
export interface Principal {
  /** Stable id of the caller (user id, service name, certificate subject). */
  readonly subject: string;
  readonly kind: 'user' | 'service';
  readonly method: AuthMethodName;
  /** The API key id, for key-authenticated callers. */
  readonly keyId?: string;
  readonly tenantId?: string;
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  /** Models this credential may use (name patterns); undefined means the policy decides. */
  readonly models?: readonly string[];
  /** Extra claims or metadata, never secrets. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** A tenant: the unit that logs, limits and budgets key off. */
export interface Tenant {
  readonly id: string;
  readonly status: 'active' | 'suspended';
  readonly tier?: string;
  readonly tags: readonly string[];
  readonly limits?: Readonly<Record<string, unknown>>;
  readonly budget?: Readonly<Record<string, unknown>>;
}

/** Token usage of one model call. */
export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}
