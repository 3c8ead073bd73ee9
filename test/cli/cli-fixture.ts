// Runs `tollgate` in-process against a store given by location, capturing output; one fixture per store type.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliIo } from '@tollgate/cli';
import { sharedPostgresOrSkip } from '../../packages/postgres/src/test-database.js';
import { deletePrefix, sharedRedisOrSkip, sharedRedisUrl, uniquePrefix } from '../support/redis-server.js';
import { freshSchema, sharedPostgresUrl } from '../support/store-servers.js';

/** What one `tollgate` run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** A store the CLI is pointed at: the arguments that name it, and how to remove it. */
export interface CliStore {
  /** `--store …` plus `--prefix`/`--schema` where the type needs them. */
  readonly args: readonly string[];
  cleanup(): Promise<void>;
}

/**
 * Runs the CLI with `args` in `cwd`, with an environment of its own.
 *
 * @example
 * const { code, out } = await tollgate(['keys', 'list', '--store', 'keys.yaml'], dir);
 */
export async function tollgate(args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd, env };
  const code = await runCli(args, io);
  return { code, out, err };
}

/** A working directory for one test file, removed afterwards. */
export async function workDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-cli-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The stores to run the CLI suites against: files in `dir`, and the shared Redis and PostgreSQL when they answer. */
export async function cliStores(dir: string, kind: 'keys' | 'tenants'): Promise<Array<{ name: string; make: () => Promise<CliStore> }>> {
  const name = () => `${kind}-${Math.random().toString(36).slice(2)}`;
  const stores = [
    { name: 'a YAML file (relative path)', make: async () => ({ args: ['--store', `${name()}.yaml`], cleanup: async () => {} }) },
    { name: 'a JSON file', make: async () => ({ args: ['--store', join(dir, `${name()}.json`)], cleanup: async () => {} }) },
  ];
  if (await sharedRedisOrSkip(`tollgate ${kind} against Redis`)) {
    stores.push({
      name: 'Redis',
      make: async () => {
        const prefix = uniquePrefix(`cli-${kind}`);
        return { args: ['--store', sharedRedisUrl, '--prefix', prefix], cleanup: () => deletePrefix(sharedRedisUrl, prefix) };
      },
    });
  }
  if (await sharedPostgresOrSkip(`tollgate ${kind} against PostgreSQL`)) {
    stores.push({
      name: 'PostgreSQL',
      make: async () => {
        const { schema, drop } = await freshSchema(`cli_${kind}`);
        return { args: ['--store', sharedPostgresUrl, '--schema', schema], cleanup: drop };
      },
    });
  }
  return stores;
}
