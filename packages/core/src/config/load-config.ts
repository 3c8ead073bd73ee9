// loadConfig() and parseConfig(): a declarative YAML/JSON file to the options of gate().
import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { ConfigError } from '../errors/tollgate-error.js';
import type { GateOptions } from '../gate.js';
import { buildGateOptions } from './build-gate-options.js';
import { configError } from './config-problems.js';
import type { ConfigFormat } from './config-source.js';
import type { ConfigEnv } from './env-interpolation.js';
import { readConfig } from './read-config.js';
import { storePackageFinder } from './sections/remote-store.js';
import type { StoreModules } from '../store-connection/store-packages.js';

/** Options of {@link parseConfig}. */
export interface ParseConfigOptions {
  /** @default 'yaml' */
  readonly format?: ConfigFormat;
  /** Directory that relative paths in the config (key files) are resolved against. @default process.cwd() */
  readonly baseDir?: string;
  /** Variables for `${VAR}` references. @default process.env */
  readonly env?: ConfigEnv;
  /** How error messages name this text. @default '<config>' */
  readonly source?: string;
  /**
   * The packages of Redis and Postgres stores, given in code (`{ redis: await import('@tollgate/redis') }`),
   * for bundled apps. @default found as installed: from `baseDir`, then the working directory
   */
  readonly storeModules?: StoreModules;
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Variables for `${VAR}` references. @default process.env */
  readonly env?: ConfigEnv;
  /** @default from the extension: `.json` is JSON, `.yaml` and `.yml` are YAML */
  readonly format?: ConfigFormat;
  /** The packages of Redis and Postgres stores, given in code (see {@link ParseConfigOptions.storeModules}). @default found as installed */
  readonly storeModules?: StoreModules;
}

/**
 * Builds GateOptions from config text that does not come from a file (a secret, an env var, a test).
 * Throws one ConfigError listing every problem as `source:line:col path: what is wrong`.
 *
 * @example
 * const options = parseConfig(process.env.TOLLGATE_CONFIG ?? '', { format: 'json', baseDir: '/etc/tollgate' });
 * app.use(tollgate(gate(options)));
 */
export function parseConfig(text: string, options: ParseConfigOptions = {}): GateOptions {
  const source = options.source ?? '<config>';
  const { config, locate } = readConfig(text, { source, ...(options.format === undefined ? {} : { format: options.format }), ...(options.env === undefined ? {} : { env: options.env }) });
  const baseDir = options.baseDir ?? process.cwd();
  return buildGateOptions(
    config,
    baseDir,
    (path, error) => {
      const message = error instanceof Error ? error.message : String(error);
      throw configError(source, [{ position: locate(path), path, message }], error);
    },
    storePackageFinder(baseDir, options.storeModules),
  );
}

function formatOf(path: string): ConfigFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  throw new ConfigError(`Config file ${path} must end in .yaml, .yml or .json (or pass options.format); got ${JSON.stringify(ext)}`);
}

/**
 * Reads a `tollgate.yaml` / `tollgate.json` file synchronously and builds the options of gate().
 * Relative paths inside it are resolved against the file's directory.
 *
 * @example
 * const tg = gate(loadConfig('./tollgate.yaml'));
 * app.use('/v1', tollgate(tg));
 * process.on('SIGTERM', () => void tg.close());
 */
export function loadConfig(path: string, options: LoadConfigOptions = {}): GateOptions {
  const format = options.format ?? formatOf(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ConfigError(`Cannot read config file ${path}: ${reason}`, { cause: error });
  }
  return parseConfig(text, {
    format,
    baseDir: dirname(resolve(path)),
    source: path,
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.storeModules === undefined ? {} : { storeModules: options.storeModules }),
  });
}
