// The cache key of a credential: a salted SHA-256, so caches of verified keys and tokens never hold a credential.
import * as nodeCrypto from 'node:crypto';
import { createHash, randomBytes } from 'node:crypto';

type OneShotHash = (algorithm: string, data: string, outputEncoding: 'base64url') => string;

// crypto.hash (Node 20.12+) digests in one call; Node's HMAC object re-resolves its digest in OpenSSL
// each time it is made, which under load cost several times the hash itself on every request.
const oneShot: OneShotHash | undefined = (nodeCrypto as { hash?: OneShotHash }).hash;

/**
 * A function from a credential to its cache key: SHA-256 over a per-process random 32-byte salt
 * followed by the credential, base64url. The salt never leaves the process (nor the closure), so
 * the keys in a cache cannot be matched to credentials without it; the credential itself is never
 * stored.
 *
 * @example
 * const fingerprint = credentialFingerprint();
 * cache.get(fingerprint(key));
 */
export function credentialFingerprint(): (credential: string) => string {
  // Fixed length (64 hex digits), so salt and credential cannot be shifted into each other.
  const salt = randomBytes(32).toString('hex');
  if (oneShot !== undefined) return (credential) => oneShot('sha256', salt + credential, 'base64url');
  return (credential) => createHash('sha256').update(salt).update(credential).digest('base64url');
}
