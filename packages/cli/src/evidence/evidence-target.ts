// The contract between `tollgate evidence` and an app module, and loading that module.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { InferenceRecord } from '@tollgate/core';
import { frameworkOf } from './frameworks.js';

/**
 * What an app module gives `tollgate evidence`. The module default-exports this object, a function
 * (sync or async) returning it, or just the app; `--export NAME` picks a named export instead.
 */
export interface EvidenceTarget {
  /** The app, not listening: an Express 4/5, Fastify 5, Hono 4 or Koa 2/3 app (the command serves it on 127.0.0.1). */
  readonly app: unknown;
  /** A working credential for the authenticated sample request (a test key). Never written out. */
  readonly credential?: { readonly value: string; /** @default 'authorization' (sent as `Bearer <value>`) */ readonly header?: string };
  /** The authenticated sample request. @default the first inference route, with a minimal chat body */
  readonly sampleRequest?: { readonly method?: string; readonly path: string; readonly body?: unknown };
  /** Paths of inference routes (`*` within a segment, `**` across), besides the known model API paths. */
  readonly inferenceRoutes?: readonly (string | RegExp)[];
  /** The inference log to take the attribution record from. @default the one found in the app's tollgate pipelines */
  readonly inferenceLog?: { subscribe(listener: (record: InferenceRecord) => void): () => void };
  /** The tollgate configuration the app runs with (e.g. what loadConfig read), written out with secrets redacted. */
  readonly authConfig?: unknown;
  /** Releases what the module started (upstream stub, stores, the gate). */
  close?(): void | Promise<void>;
}

const isApp = (value: unknown): boolean => frameworkOf(value) !== undefined;

async function importModule(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    // A TypeScript module under plain Node: load it through the app's own tsx, when it has one.
    if ((error as { code?: unknown }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    let api: string;
    try {
      // The ESM entry of `tsx/esm/api`, from the package's own exports map.
      const manifest = createRequire(pathToFileURL(`${dirname(path)}/`)).resolve('tsx/package.json');
      const exportsMap = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports;
      api = join(dirname(manifest), exportsMap['./esm/api']!.import.default);
    } catch {
      throw new Error(`${path} is TypeScript; install tsx in its project, or run the command with \`node --import tsx\``);
    }
    const { register } = (await import(pathToFileURL(api).href)) as { register: () => unknown };
    register();
    // A new URL: the failed import of the plain one stays cached.
    return (await import(`${url}?tollgate-evidence`)) as Record<string, unknown>;
  }
}

/**
 * Imports an app module and resolves its evidence target: the named export, or `default`, then an
 * export named `evidence` or `app`.
 *
 * @example
 * const target = await loadEvidenceTarget('/srv/gateway/src/evidence.ts');
 */
export async function loadEvidenceTarget(path: string, exportName?: string): Promise<EvidenceTarget> {
  const module = await importModule(path);
  const names = exportName === undefined ? ['default', 'evidence', 'app'] : [exportName];
  const name = names.find((n) => module[n] !== undefined);
  if (name === undefined) {
    throw new Error(`${path} exports none of ${names.map((n) => `"${n}"`).join(', ')}: export the app, or a function returning { app, credential }`);
  }
  let value = module[name];
  if (typeof value === 'function' && !isApp(value)) value = await (value as () => unknown)();
  if (isApp(value)) return { app: value };
  if (value !== null && typeof value === 'object' && 'app' in value) return value as EvidenceTarget;
  throw new Error(`export "${name}" of ${path} is neither an app (Express 4/5, Fastify 5, Hono 4, Koa 2/3) nor { app, … } (nor a function returning one)`);
}
