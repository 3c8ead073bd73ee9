// The RBAC policy provider: a policy from a file (hot-reloaded, last valid kept) or an object, decided in-process.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ExplanationStep, PolicyProvider } from '../authorize/policy-provider.js';
import { ConfigError } from '../errors/tollgate-error.js';
import { wholeNumber } from '../options/option-checks.js';
import { watchFile, type FileWatch } from '../watched-file/watch-file.js';
import type { CompiledRbacPolicy } from './compiled-rbac-policy.js';
import { decideRbac } from './evaluate-rbac.js';
import { rbacPolicyFormat, readRbacPolicyObject, readRbacPolicyText } from './read-rbac-policy.js';
import type { RbacPolicy } from './rbac-policy-schema.js';

/** Options of {@link rbac}: exactly one of `file` and `policy`. */
export interface RbacOptions {
  /** A YAML or JSON policy file, read now and reloaded when it changes. */
  readonly file?: string;
  /** The policy as an object. */
  readonly policy?: RbacPolicy;
  /** Reload the file when it changes on disk. @default true */
  readonly watch?: boolean;
  /** Told about reloads that failed (the last valid policy stays in force). @default process.emitWarning */
  readonly onError?: (error: Error) => void;
  /** Told after each successful reload. */
  readonly onReload?: () => void;
  /** Quiet time after the last file event before reloading. @default 50 */
  readonly debounceMs?: number;
}

/** The RBAC provider; `reload()` re-reads the file now, `close()` stops watching it. */
export interface RbacProvider extends PolicyProvider {
  readonly name: 'rbac';
  /** Re-reads the policy file; rejects with a ConfigError when it is invalid (the last valid policy stays). */
  reload(): Promise<void>;
  close(): Promise<void>;
}

function readPolicyFileSync(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ConfigError(`Cannot read RBAC policy file ${file}: ${reason}`, { cause: error });
  }
}

/**
 * Builds the RBAC provider. The policy is validated and compiled once (startup fails with a ConfigError
 * that points at the line of each mistake) and again on each change of the file; a change that does not
 * validate is reported to `onError` and the last valid policy stays in force. Decisions are in-process
 * and take microseconds.
 *
 * @example
 * const policy = rbac({ file: './policy.yaml', onError: (e) => logger.warn(e) });
 * const tg = gate({ authenticate, authorize: authorize({ provider: policy }) });
 */
export function rbac(options: RbacOptions): RbacProvider {
  if (options === null || typeof options !== 'object') throw new ConfigError('rbac: options must be an object');
  if ((options.file === undefined) === (options.policy === undefined)) throw new ConfigError('rbac: give exactly one of options.file and options.policy');
  if (options.onError !== undefined && typeof options.onError !== 'function') throw new ConfigError('rbac: onError must be a function');
  const debounceMs = wholeNumber(options.debounceMs, 'rbac: debounceMs', 50, 0, 60_000);
  const report = options.onError ?? ((error: Error) => process.emitWarning(error));
  let policy: CompiledRbacPolicy;
  let watch: FileWatch | undefined;
  let reload = async (): Promise<void> => undefined;

  if (options.file !== undefined) {
    if (typeof options.file !== 'string' || options.file === '') throw new ConfigError('rbac: file must be a non-empty path');
    const file = resolve(options.file);
    const format = rbacPolicyFormat(file);
    let text = readPolicyFileSync(file);
    policy = readRbacPolicyText(text, format, file);
    let queue: Promise<void> = Promise.resolve();
    reload = () => {
      const run = queue.then(async () => {
        const next = await readFile(file, 'utf8').catch((error: unknown) => {
          throw new ConfigError(`Cannot read RBAC policy file ${file}; keeping the last valid policy: ${(error as Error).message}`, { cause: error });
        });
        if (next === text) return;
        policy = readRbacPolicyText(next, format, file);
        text = next;
        options.onReload?.();
      });
      queue = run.catch(() => undefined);
      return run;
    };
    if (options.watch ?? true) {
      watch = watchFile(file, () => void reload().catch((error: unknown) => report(error instanceof Error ? error : new Error(String(error)))), { debounceMs, onError: report });
    }
  } else {
    policy = readRbacPolicyObject(options.policy);
  }

  return {
    name: 'rbac',
    get mayRouteModels() {
      return policy.hasFallbacks;
    },
    decide: (request) => decideRbac(policy, request),
    explain(request) {
      const steps: ExplanationStep[] = [];
      const decision = decideRbac(policy, request, steps);
      return { decision, steps };
    },
    reload: () => reload(),
    async close() {
      watch?.close();
      watch = undefined;
    },
  };
}
