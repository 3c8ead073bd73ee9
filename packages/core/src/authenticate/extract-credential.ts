// Finds the one credential of a request: `Authorization: Bearer` or a dedicated header, refusing duplicates and junk.
import { TollgateError } from '../errors/tollgate-error.js';
import type { TgRequest } from '../request/tg-request.js';
import type { Credential } from './auth-method.js';

const authorization = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?: +(.*))?$/s;
// RFC 7235 token68, which covers API keys, JWTs and opaque OAuth tokens.
const token68 = /^[A-Za-z0-9\-._~+/]+=*$/;

function malformed(message: string): TollgateError {
  return new TollgateError('TG_MALFORMED_CREDENTIAL', { message });
}

/**
 * Returns the request's credential, or undefined when it carries none.
 * Throws 400 for duplicated or malformed credential headers and for two different credentials,
 * 401 for a scheme other than Bearer or a credential longer than `maxLength`.
 *
 * @example
 * extractCredential(request, ['x-api-key'], 8192) // { value: 'tg_live_…', header: 'authorization' }
 */
export function extractCredential(request: TgRequest, extraHeaders: readonly string[], maxLength: number): Credential | undefined {
  const found: Credential[] = [];
  const auth = request.headerValues('authorization');
  if (auth.length > 1) throw new TollgateError('TG_CONFLICTING_CREDENTIALS', { message: 'The Authorization header appears more than once.' });
  if (auth.length === 1) {
    const match = authorization.exec(auth[0]!);
    if (match === null) throw malformed('The Authorization header is malformed.');
    if (match[1]!.toLowerCase() !== 'bearer') throw new TollgateError('TG_INVALID_CREDENTIAL');
    found.push({ value: match[2] ?? '', header: 'authorization' });
  }
  for (const header of extraHeaders) {
    const values = request.headerValues(header);
    if (values.length > 1) throw new TollgateError('TG_CONFLICTING_CREDENTIALS', { message: `The ${header} header appears more than once.` });
    if (values.length === 1) found.push({ value: values[0]!, header });
  }
  for (const credential of found) {
    if (credential.value.length > maxLength) throw new TollgateError('TG_INVALID_CREDENTIAL');
    if (!token68.test(credential.value)) {
      throw malformed(credential.header === 'authorization' ? 'The Bearer credential is empty or contains characters a token cannot have.' : `The ${credential.header} header is empty or contains characters a token cannot have.`);
    }
  }
  const first = found[0];
  if (first !== undefined && found.some((c) => c.value !== first.value)) {
    throw new TollgateError('TG_CONFLICTING_CREDENTIALS');
  }
  return first;
}
