// argon2id hashing of key secrets (OWASP parameters), kept in one place so every writer hashes alike.
import { createRequire } from 'node:module';
import type * as Argon2 from '@node-rs/argon2';
import { ConfigError } from '../errors/tollgate-error.js';

// @node-rs/argon2 exports Algorithm as a const enum, which verbatimModuleSyntax cannot import; 2 is Argon2id.
const argon2id = 2;

/** argon2id cost parameters. */
export interface SecretHashOptions {
  /** Memory in KiB. @default 19456 (19 MiB, OWASP) */
  readonly memoryCost?: number;
  /** Iterations. @default 2 */
  readonly timeCost?: number;
  /** Lanes. @default 1 */
  readonly parallelism?: number;
}

type Argon2Binding = Pick<typeof Argon2, 'hash' | 'verify'>;

let binding: Argon2Binding | undefined;

// Resolves from this module (the CJS build has __filename, the ESM build import.meta), as core's own dependency.
const coreRequire = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);

/** Where core's @node-rs/argon2 is, for worker threads that load it themselves (they may not resolve it from the app's directory). */
export function argon2Entry(): string {
  return coreRequire.resolve('@node-rs/argon2');
}

/**
 * Why @node-rs/argon2 did not load, in words an operator can act on. Its own message blames npm's
 * optional dependencies whatever the cause; under Node's permission model the cause is that addons
 * are refused.
 */
function loadFailure(cause: unknown): ConfigError {
  const permissionModel = (process as { permission?: unknown }).permission !== undefined;
  const message = permissionModel
    ? "API keys need argon2id, and @node-rs/argon2 is a native addon, which Node's permission model refuses: start node with --allow-addons (and --allow-worker, so verifications run on worker threads rather than libuv's pool)"
    : `API keys need argon2id, and @node-rs/argon2 (a native addon) could not load on ${process.platform}-${process.arch}: reinstall dependencies on this platform (${cause instanceof Error ? cause.message : String(cause)})`;
  return new ConfigError(message, { cause });
}

/**
 * @node-rs/argon2, loaded on first use rather than with core, so an app that never uses API keys
 * runs where native addons are not allowed. `apiKey()` and `createApiKey()` call it as they start,
 * so a missing binding fails configuration with a {@link ConfigError}, not the first request.
 *
 * @example
 * loadArgon2(); // throws ConfigError under `node --experimental-permission` without `--allow-addons`
 */
export function loadArgon2(): Argon2Binding {
  if (binding !== undefined) return binding;
  try {
    const loaded = coreRequire('@node-rs/argon2') as Argon2Binding;
    binding = loaded;
    return loaded;
  } catch (cause) {
    throw loadFailure(cause);
  }
}

/** Hashes a secret with argon2id; returns the PHC string. */
export async function hashSecret(secret: string, options: SecretHashOptions = {}): Promise<string> {
  return loadArgon2().hash(secret, {
    algorithm: argon2id,
    memoryCost: options.memoryCost ?? 19_456,
    timeCost: options.timeCost ?? 2,
    parallelism: options.parallelism ?? 1,
  });
}

/** Checks a secret against a PHC string; rejects when the stored hash is not a valid PHC string. */
export async function verifySecret(phc: string, secret: string): Promise<boolean> {
  return loadArgon2().verify(phc, secret);
}
