// One RFC 7662 introspection call with client authentication, and the checks on its answer.
import { fetchJsonObject, type RemoteCallLimits } from '../bearer-token/remote-endpoint.js';

/** The client credentials sent to the endpoint. */
export interface IntrospectionClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly clientAuth: 'client_secret_basic' | 'client_secret_post';
}

/** What the provider said about a token, after tollgate's own checks. */
export type IntrospectionAnswer = { readonly active: true; readonly claims: Readonly<Record<string, unknown>> } | { readonly active: false };

/** What an active answer must satisfy. */
export interface AnswerRules {
  readonly issuer: string | undefined;
  readonly audience: readonly string[] | undefined;
  readonly nowSeconds: number;
  readonly toleranceSeconds: number;
}

// RFC 6749 §2.3.1: client id and secret are form-urlencoded before they are joined for Basic.
const formEncode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');

/**
 * Asks the endpoint about `token`. Any transport or protocol failure rejects with a
 * RemoteEndpointError (the caller answers 503); an answer resolves, active or not.
 *
 * @example
 * const answer = await introspectToken(new URL('https://idp.example.com/introspect'), token, client, { timeoutMs: 3000, maxBytes: 65536 });
 */
export async function introspectToken(endpoint: URL, token: string, client: IntrospectionClient, limits: RemoteCallLimits): Promise<Record<string, unknown>> {
  const form = new URLSearchParams({ token, token_type_hint: 'access_token' });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (client.clientAuth === 'client_secret_basic') {
    headers['authorization'] = `Basic ${Buffer.from(`${formEncode(client.clientId)}:${formEncode(client.clientSecret)}`).toString('base64')}`;
  } else {
    form.set('client_id', client.clientId);
    form.set('client_secret', client.clientSecret);
  }
  return fetchJsonObject(endpoint, limits, { method: 'POST', headers, body: form.toString() });
}

const finiteTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * Judges an answer: active only when `active` is exactly `true`, `exp` (if given) is ahead, `nbf`
 * (if given) has passed, `iss` (if given and configured) matches, `aud` names one of ours (when
 * configured), and the token is a plain bearer token (no `cnf` binding, no DPoP `token_type`).
 *
 * @example
 * judgeAnswer({ active: true, sub: 'alice', exp: 1900000000 }, { issuer: undefined, audience: undefined, nowSeconds: Date.now() / 1000, toleranceSeconds: 5 })
 */
export function judgeAnswer(answer: Record<string, unknown>, rules: AnswerRules): IntrospectionAnswer {
  if (answer['active'] !== true) return { active: false };
  const { exp, nbf, iss, aud, cnf } = answer;
  const tokenType = answer['token_type'];
  if (exp !== undefined && (!finiteTime(exp) || exp <= rules.nowSeconds - rules.toleranceSeconds)) return { active: false };
  if (nbf !== undefined && (!finiteTime(nbf) || nbf > rules.nowSeconds + rules.toleranceSeconds)) return { active: false };
  if (rules.issuer !== undefined && iss !== undefined && iss !== rules.issuer) return { active: false };
  if (rules.audience !== undefined) {
    const named = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
    if (!named.some((a) => typeof a === 'string' && rules.audience!.includes(a))) return { active: false };
  }
  // A sender-constrained token needs a proof of possession this method does not check.
  if (cnf !== undefined || (typeof tokenType === 'string' && tokenType.toLowerCase() === 'dpop')) return { active: false };
  return { active: true, claims: answer };
}
