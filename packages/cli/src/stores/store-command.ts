// Runs a key or tenant command against its store: opens it, always closes it, and turns failures into messages and exit codes.
import { ConfigError, isTollgateError, StoreConnectionError } from '@tollgate/core';
import { exitCodes, UsageError, type CliIo } from '../command.js';
import { describeLocation, type StoreLocation } from './store-location.js';

/**
 * Opens the store with `open`, runs `body`, closes the store. A missing key or tenant and a conflict exit
 * 1 with the message; bad input (a ConfigError) exits 2; a store that cannot be reached or fails exits 4,
 * naming the store without any password. A usage error passes through (the dispatcher prints the usage).
 *
 * @example
 * return withStore(io, 'keys list', location, () => openKeyStore(location, {}), async (store) => { … return exitCodes.ok; });
 */
export async function withStore<S extends { close?(): Promise<void> }>(
  io: CliIo,
  command: string,
  location: StoreLocation,
  open: () => Promise<S>,
  body: (store: S) => Promise<number>,
): Promise<number> {
  const fail = (message: string, code: number): number => {
    io.stderr(`tollgate ${command}: ${message}\n`);
    return code;
  };
  let store: S;
  try {
    store = await open();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (error instanceof StoreConnectionError) return fail(error.message, exitCodes.unavailable);
    if (error instanceof ConfigError) return fail(error.message, exitCodes.usage);
    return fail(`cannot open ${describeLocation(location)}: ${(error as Error).message}`, exitCodes.unavailable);
  }
  try {
    return await body(store);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (isTollgateError(error)) {
      if (error.code === 'TG_STORE_UNAVAILABLE') return fail(`the store ${describeLocation(location)} failed: ${(error.cause as Error | undefined)?.message ?? error.message}`, exitCodes.unavailable);
      return fail(error.message, exitCodes.failed);
    }
    if (error instanceof ConfigError) return fail(error.message, exitCodes.usage);
    return fail(`the store ${describeLocation(location)} failed: ${(error as Error).message}`, exitCodes.unavailable);
  } finally {
    await store.close?.().catch(() => undefined);
  }
}
