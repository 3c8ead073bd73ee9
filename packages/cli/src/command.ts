// What a `tollgate` subcommand is: a path of words, a summary, a usage text, and a run function.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Where a command writes and what it runs in; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Relative paths in arguments are resolved against this. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** One subcommand, e.g. `['audit', 'verify']`. Add one by writing a module and listing it in cli.ts. */
export interface CliCommand {
  readonly path: readonly string[];
  /** One line for `tollgate --help`. */
  readonly summary: string;
  /** The full usage text, printed for `--help` and after a usage error. */
  readonly usage: string;
  /** Runs with the arguments after the command's words; resolves the exit code. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** A mistake in the command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit codes shared by every command. */
export const exitCodes = {
  ok: 0,
  /** The check failed: a broken chain, an unprotected inference route. */
  failed: 1,
  /** Bad arguments, or a file or module that could not be read. */
  usage: 2,
  /** The evidence is incomplete (no inference route found, no tenant attribution sample). */
  incomplete: 3,
  /** The key or tenant store could not be reached (or failed mid-command); nothing was changed by this run. */
  unavailable: 4,
} as const;

/** `util.parseArgs`, with its errors (unknown option, missing value) turned into usage errors. */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
