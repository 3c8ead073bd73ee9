// Which action a request is: the app's own route table first, then the inference API, then the OpenAI-style paths.
import type { InferenceInfo } from '../context/principal.js';
import { ConfigError } from '../errors/tollgate-error.js';

/** A route of the app mapped to an action, e.g. `{ path: '/admin/keys/**', action: 'admin:keys' }`. */
export interface RouteAction {
  /** HTTP method; any method when absent. */
  readonly method?: string;
  /** Path pattern: `*` or `:name` is one segment, `**` any number of segments (none included). */
  readonly path: string;
  readonly action: string;
}

/** The actions tollgate knows without being told. Policies may name others when they declare them. */
export const builtInActions: readonly string[] = Object.freeze([
  'inference:chat',
  'inference:completions',
  'inference:embeddings',
  'inference:responses',
  'inference:messages',
  'models:read',
  'admin:keys',
  'admin:tenants',
  'admin:policies',
  'admin:usage',
]);

const actionPattern = /^[A-Za-z0-9_.-]+(?::[A-Za-z0-9_.-]+)*$/;

/** Whether a string can name an action: segments of `[A-Za-z0-9_.-]` joined by `:`. */
export function isActionName(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 128 && actionPattern.test(value);
}

/** Whether an action is about a model (so model facts apply to it). */
export function isModelAction(action: string): boolean {
  return action.startsWith('inference:');
}

const apiActions: Readonly<Record<InferenceInfo['api'], string>> = {
  chat: 'inference:chat',
  completions: 'inference:completions',
  embeddings: 'inference:embeddings',
  responses: 'inference:responses',
  anthropic_messages: 'inference:messages',
};

// Wherever the app mounts them (`/v1`, `/api/openai/v1`, …), by the path's last segments.
const defaultRoutes: readonly RouteAction[] = [
  { method: 'POST', path: '**/chat/completions', action: 'inference:chat' },
  { method: 'POST', path: '**/completions', action: 'inference:completions' },
  { method: 'POST', path: '**/embeddings', action: 'inference:embeddings' },
  { method: 'POST', path: '**/responses', action: 'inference:responses' },
  { method: 'POST', path: '**/messages', action: 'inference:messages' },
  { method: 'GET', path: '**/models', action: 'models:read' },
  { method: 'GET', path: '**/models/*', action: 'models:read' },
];

type Matcher = (segments: readonly string[]) => boolean;

function compilePath(pattern: string): Matcher {
  const parts = pattern.split('/').filter((p) => p !== '');
  const match = (i: number, segments: readonly string[], j: number): boolean => {
    if (i === parts.length) return j === segments.length;
    const part = parts[i]!;
    if (part === '**') {
      for (let k = j; k <= segments.length; k++) if (match(i + 1, segments, k)) return true;
      return false;
    }
    if (j === segments.length) return false;
    return (part === '*' || part.startsWith(':') || part === segments[j]) && match(i + 1, segments, j + 1);
  };
  return (segments) => match(0, segments, 0);
}

interface CompiledRoute {
  readonly method: string | undefined;
  readonly matches: Matcher;
  readonly action: string;
}

function compileRoutes(routes: readonly RouteAction[], where: string): CompiledRoute[] {
  return routes.map((route, index) => {
    const at = `${where}[${index}]`;
    if (route === null || typeof route !== 'object') throw new ConfigError(`${at} must be { path, action, method? }`);
    if (typeof route.path !== 'string' || !route.path.startsWith('/') && !route.path.startsWith('**')) throw new ConfigError(`${at}.path must start with "/" (or "**/")`);
    if (!isActionName(route.action)) throw new ConfigError(`${at}.action must be an action name such as "admin:keys"; got ${JSON.stringify(route.action)}`);
    if (route.method !== undefined && (typeof route.method !== 'string' || !/^[A-Za-z]+$/.test(route.method))) throw new ConfigError(`${at}.method must be an HTTP method`);
    return { method: route.method?.toUpperCase(), matches: compilePath(route.path), action: route.action };
  });
}

/** Finds the action of a request. Built once from the app's routes; `find` is cheap. */
export interface ActionResolver {
  /** The action, or undefined when nothing maps this request (authorize then denies it). */
  find(method: string, path: string, inference: InferenceInfo | undefined): string | undefined;
  /** Every action the routes can produce, built-ins included. */
  readonly known: readonly string[];
}

/**
 * Builds the resolver: the app's `routes` in order, then the API validateRequest recognised, then the
 * OpenAI-compatible paths (`…/chat/completions`, `…/embeddings`, `…/models`, …). Throws a ConfigError
 * for a bad route.
 *
 * @example
 * const actions = actionResolver([{ path: '/admin/keys/**', action: 'admin:keys' }]);
 * actions.find('DELETE', '/admin/keys/k1', undefined) // 'admin:keys'
 */
export function actionResolver(routes: readonly RouteAction[] = [], where = 'authorize.routes'): ActionResolver {
  if (!Array.isArray(routes)) throw new ConfigError(`${where} must be a list of { path, action, method? }`);
  const own = compileRoutes(routes, where);
  const defaults = compileRoutes(defaultRoutes, 'default routes');
  const pick = (list: readonly CompiledRoute[], method: string, segments: readonly string[]) =>
    list.find((r) => (r.method === undefined || r.method === method) && r.matches(segments))?.action;
  return {
    known: [...new Set([...builtInActions, ...own.map((r) => r.action)])],
    find(method, path, inference) {
      const segments = path.split('/').filter((s) => s !== '');
      const upper = method.toUpperCase();
      return pick(own, upper, segments) ?? (inference === undefined ? undefined : apiActions[inference.api]) ?? pick(defaults, upper, segments);
    },
  };
}
