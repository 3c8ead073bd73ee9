// Runs a store operation for a lifecycle function: a store that fails is a 503, never a crash or a wrong answer.
import { ConfigError, TollgateError, isTollgateError } from '../errors/tollgate-error.js';

/**
 * Awaits `operation`; a TollgateError or ConfigError (bad input) passes through, anything else (a
 * connection refused, a timeout) becomes `TG_STORE_UNAVAILABLE` with `Retry-After: 1`, the cause kept
 * for logs only.
 *
 * @example
 * const record = await storeCall(() => store.get(keyId));
 */
export async function storeCall<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isTollgateError(error) || error instanceof ConfigError) throw error;
    throw new TollgateError('TG_STORE_UNAVAILABLE', { retryAfterSeconds: 1, cause: error });
  }
}

/** The error for a key id that is not in the store (or not visible to the caller: the same answer). */
export function keyNotFound(keyId: string): TollgateError {
  return new TollgateError('TG_NOT_FOUND', { message: `No key with id ${JSON.stringify(keyId)}.`, detail: { key_id: keyId } });
}
