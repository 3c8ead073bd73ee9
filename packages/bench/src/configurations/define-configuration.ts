// Builds configuration records: a framework, a variant, the app process to start and the parts it needs.
import { launchApp } from '../launch-app.js';
import type { AppName, ChainName, Configuration, Framework, Part, Variant } from '../configuration.js';
import { exportOf } from '../parts.js';

/** Every framework, in the order the report lists them. */
export const frameworks: readonly Framework[] = ['express', 'fastify', 'hono', 'koa'];

/** The adapter a framework's tollgate configurations need. */
export function adapterPart(framework: Framework): Part {
  return exportOf(`@tollgate/${framework}`, 'tollgate');
}

/** What a configuration module states; the rest is derived. */
export interface ConfigurationFacts {
  readonly framework: Framework;
  readonly variant: Variant;
  /** Defaults to `variant`; peers name their stack (`peer-passport`). */
  readonly label?: string;
  readonly description: string;
  readonly app: AppName;
  readonly chain?: ChainName;
  readonly stream?: boolean;
  /** The route passes an AbortSignal to the model call (see AppSpec.signal). */
  readonly signal?: boolean;
  /** Compared with this configuration instead of the bare route. */
  readonly baseline?: string;
  readonly parts?: readonly Part[];
}

/**
 * A configuration whose `start()` forks an app process of its own. Its baseline is the same
 * framework's bare route (streamed when this configuration streams).
 *
 * @example
 * export const koaFull = defineConfiguration({ framework: 'koa', variant: 'full', app: 'koa', chain: 'full', description: '…' });
 */
export function defineConfiguration(facts: ConfigurationFacts): Configuration {
  const stream = facts.stream ?? false;
  return {
    name: `${facts.framework}/${facts.label ?? facts.variant}`,
    framework: facts.framework,
    variant: facts.variant,
    description: facts.description,
    parts: facts.parts ?? [],
    baseline: facts.baseline ?? `${facts.framework}/${stream ? 'bare-stream' : 'bare'}`,
    stream,
    start: (settings) => launchApp({ app: facts.app, chain: facts.chain, upstream: settings.upstream, workDir: settings.workDir, redisUrl: settings.redisUrl, signal: facts.signal ?? false }, settings),
  };
}
