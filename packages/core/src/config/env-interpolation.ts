// `${VAR}` interpolation in the string values of a parsed config (never in its raw text, never in keys).
import { configPathKey, type ConfigPath } from './config-path.js';

/** Environment variables; `process.env` by default. */
export type ConfigEnv = Readonly<Record<string, string | undefined>>;

/** A reference that could not be resolved; the message names the variable, never a value. */
export interface InterpolationProblem {
  readonly path: ConfigPath;
  readonly message: string;
}

/** The interpolated data, the problems, and which fields they concern (so validation skips them). */
export interface Interpolated {
  readonly value: unknown;
  readonly problems: readonly InterpolationProblem[];
  readonly failedPaths: ReadonlySet<string>;
}

const reference = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/**
 * Resolves `${VAR}`, `${VAR:-default}` (used when VAR is unset or empty) and the escape `$${` (a
 * literal `${`) in one string. Returns the text and whether anything was substituted, or an error.
 *
 * @example
 * interpolateString('redis://${HOST:-localhost}:6379', { HOST: 'cache' }) // { text: 'redis://cache:6379', substituted: true }
 */
export function interpolateString(text: string, env: ConfigEnv): { text: string; substituted: boolean } | { error: string } {
  let out = '';
  let substituted = false;
  let index = 0;
  for (;;) {
    const dollar = text.indexOf('$', index);
    if (dollar === -1) return { text: out + text.slice(index), substituted };
    out += text.slice(index, dollar);
    if (text.startsWith('$${', dollar)) {
      out += '${';
      index = dollar + 3;
    } else if (text.startsWith('${', dollar)) {
      const close = text.indexOf('}', dollar + 2);
      if (close === -1) return { error: 'has a "${" that is not closed (write "$${" for a literal "${")' };
      const match = reference.exec(text.slice(dollar + 2, close));
      if (match === null) {
        return { error: `has "${text.slice(dollar, close + 1)}", which is not \${NAME} or \${NAME:-default} (write "$\${" for a literal "\${")` };
      }
      const [, name, fallback] = match as unknown as [string, string, string | undefined];
      const value = env[name];
      if (value !== undefined && !(value === '' && fallback !== undefined)) out += value;
      else if (fallback !== undefined) out += fallback;
      else return { error: `environment variable ${name} is not set (write \${${name}:-default} to give a default)` };
      substituted = true;
      index = close + 1;
    } else {
      out += '$';
      index = dollar + 1;
    }
  }
}

/**
 * Interpolates every string value of parsed config data into a fresh copy. A substituted string is
 * passed to `convert`, which may turn it into the number or boolean the schema wants there: values
 * typed in the file are never converted, so `"8080"` in quotes stays a string.
 *
 * @example
 * interpolateEnv({ body: { maxBytes: '${MAX:-1024}' } }, {}, (path, text) => Number(text)).value // { body: { maxBytes: 1024 } }
 */
export function interpolateEnv(data: unknown, env: ConfigEnv, convert: (path: ConfigPath, text: string) => unknown): Interpolated {
  const problems: InterpolationProblem[] = [];
  const failedPaths = new Set<string>();
  const walk = (value: unknown, path: ConfigPath): unknown => {
    if (typeof value === 'string') {
      const result = interpolateString(value, env);
      if ('error' in result) {
        problems.push({ path, message: result.error });
        failedPaths.add(configPathKey(path));
        return value;
      }
      return result.substituted ? convert(path, result.text) : result.text;
    }
    if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, index]));
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        // defineProperty: a key named __proto__ stays an ordinary (and then unknown) key.
        Object.defineProperty(out, key, { value: walk(item, [...path, key]), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return value;
  };
  return { value: walk(data, []), problems, failedPaths };
}
