// argon2id hashing of key secrets (OWASP parameters), kept in one place so every writer hashes alike.
import { hash, verify } from '@node-rs/argon2';

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

/** Hashes a secret with argon2id; returns the PHC string. */
export function hashSecret(secret: string, options: SecretHashOptions = {}): Promise<string> {
  return hash(secret, {
    algorithm: argon2id,
    memoryCost: options.memoryCost ?? 19_456,
    timeCost: options.timeCost ?? 2,
    parallelism: options.parallelism ?? 1,
  });
}

/** Checks a secret against a PHC string; rejects when the stored hash is not a valid PHC string. */
export function verifySecret(phc: string, secret: string): Promise<boolean> {
  return verify(phc, secret);
}
