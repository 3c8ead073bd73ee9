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

/**
 * The model a request is for, as resolved from the model registry by `validateRequest`.
 * `authorize` reads `tags`; `rateLimit` reads the prices and output cap.
 */
export interface ModelInfo {
  /** Canonical registry name (after alias resolution, and after a policy's fallback rewrite). */
  readonly name: string;
  /** The name the client asked for. */
  readonly requested: string;
  readonly provider?: string;
  readonly tags: readonly string[];
  readonly contextWindow?: number;
  readonly maxOutputTokens?: number;
  /** USD per million tokens; absent means the model has no price (and may not be spent on). */
  readonly price?: { readonly inputPerMTok: number; readonly outputPerMTok: number };
  readonly capabilities?: { readonly streaming?: boolean; readonly tools?: boolean; readonly vision?: boolean };
}

/** What an inference request asks for, as parsed by `validateRequest`. */
export interface InferenceInfo {
  readonly api: 'chat' | 'completions' | 'embeddings' | 'responses' | 'anthropic_messages';
  readonly stream: boolean;
  /** The request's output cap (`max_tokens`, `max_completion_tokens`, `max_output_tokens`), if given. */
  readonly maxTokens: number | undefined;
  /** Choices requested (`n`); 1 when absent. */
  readonly n: number;
  readonly toolCount: number;
  readonly messageCount: number;
  /** Estimated prompt tokens. */
  readonly promptTokens: number;
}
