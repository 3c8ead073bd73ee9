// The startup error of a store that cannot reach its server: names the store and the URL, never the password.
import { redactUrl, urlPassword } from './redact-url.js';

/**
 * Thrown by the factories of Redis and Postgres stores when the server cannot be reached (or refuses
 * the credentials, or lacks the schema) at startup. At run time the same failures are 503s instead.
 *
 * @example
 * try { await redisKeyStore({ url }); } catch (e) { if (e instanceof StoreConnectionError) console.error(e.message); }
 */
export class StoreConnectionError extends Error {
  override readonly name = 'StoreConnectionError';
  readonly code = 'TG_STORE_UNREACHABLE';
  /** The URL with the password replaced by `***`. */
  readonly url: string;

  /**
   * @param store what could not connect, e.g. `redisKeyStore`
   * @param url the URL as configured (redacted here)
   * @param cause the driver's error; only its message is kept, scrubbed of the password (the error object
   *   itself is not attached: drivers keep their connection options, password included, on some errors)
   */
  constructor(store: string, url: string, cause: unknown, hint?: string) {
    const password = urlPassword(url);
    let reason = cause instanceof Error ? cause.message || cause.name : String(cause);
    if (password !== undefined && password.length > 0) reason = reason.replaceAll(password, '***');
    // A description such as "postgres (pool given)" is no URL and holds no password.
    const redacted = url.includes('://') ? redactUrl(url) : url;
    super(`${store}: cannot connect to ${redacted}: ${reason}${hint === undefined ? '' : `; ${hint}`}`);
    this.url = redacted;
  }
}
