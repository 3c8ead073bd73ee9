// The authenticate step: one credential per request, verified by the method its form belongs to.
import { ConfigError, TollgateError } from '../errors/tollgate-error.js';
import { toTollgateError } from '../errors/render-error.js';
import { wholeNumber } from '../options/option-checks.js';
import type { Step } from '../pipeline/step.js';
import type { TgContext } from '../context/tg-context.js';
import type { AuthMethod, Credential } from './auth-method.js';
import { extractCredential } from './extract-credential.js';

/** Options of {@link authenticate}. */
export interface AuthenticateOptions {
  /** The accepted methods; the first whose form matches the credential verifies it. */
  readonly methods: readonly AuthMethod[];
  /**
   * Let requests without any credential through with no principal (public routes that personalise
   * when a caller is known). A credential that is present but bad is still refused.
   * @default false
   */
  readonly optional?: boolean;
  /** Longest credential accepted, in characters. @default 8192 */
  readonly maxCredentialLength?: number;
}

/** The authenticate step, with a way to release its methods' watchers and timers. */
export interface AuthenticateStep extends Step {
  readonly methods: readonly AuthMethod[];
  close(): Promise<void>;
}

/** The first credential a connection-based method (mTLS) finds on the request's connection. */
function connectionCredential(methods: readonly AuthMethod[], context: TgContext): { method: AuthMethod; credential: Credential } | undefined {
  for (const method of methods) {
    const credential = method.fromConnection?.(context);
    if (credential !== undefined) return { method, credential };
  }
  return undefined;
}

/**
 * Builds the authenticate step.
 *
 * @example
 * const authn = authenticate({ methods: [apiKey({ store })] });
 * app.use(tollgate(authn));
 */
export function authenticate(options: AuthenticateOptions): AuthenticateStep {
  if (options === null || typeof options !== 'object' || !Array.isArray(options.methods) || options.methods.length === 0) {
    throw new ConfigError('authenticate: options.methods must list at least one method');
  }
  const methods = [...options.methods];
  if (new Set(methods).size !== methods.length) throw new ConfigError('authenticate: the same method object is listed twice');
  const optional = options.optional ?? false;
  const maxLength = wholeNumber(options.maxCredentialLength, 'authenticate.maxCredentialLength', 8192, 16, 65_536);
  const extraHeaders = [...new Set(methods.flatMap((m) => m.headers))];
  const connectionMethods = methods.filter((m) => typeof m.fromConnection === 'function');

  return {
    name: 'authenticate',
    requires: [],
    methods,
    async run(context) {
      let methodName: AuthMethod['name'] | undefined;
      try {
        const fromHeader = extractCredential(context.request, extraHeaders, maxLength);
        const fromConnection = connectionCredential(connectionMethods, context);
        if (fromHeader !== undefined && fromConnection !== undefined) throw new TollgateError('TG_CONFLICTING_CREDENTIALS');
        const credential = fromHeader ?? fromConnection?.credential;
        if (credential === undefined) {
          if (optional) return;
          throw new TollgateError('TG_MISSING_CREDENTIAL');
        }
        const method = fromConnection?.method ?? methods.find((m) => m.accepts(credential));
        if (method === undefined) throw new TollgateError('TG_INVALID_CREDENTIAL');
        methodName = method.name;
        const { principal, cached } = await method.verify(credential, context);
        context.principal = principal;
        context.decisions.authn = {
          outcome: 'allow',
          method: method.name,
          cached,
          ...(principal.keyId === undefined ? {} : { keyId: principal.keyId }),
        };
      } catch (thrown) {
        const error = toTollgateError(thrown);
        context.decisions.authn = { outcome: 'deny', reason: error.code, ...(methodName === undefined ? {} : { method: methodName }) };
        throw error;
      }
    },
    async close() {
      await Promise.all(methods.map((m) => m.close?.()));
    },
  };
}
