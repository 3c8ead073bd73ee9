// Config text to a validated config: parse, interpolate `${ENV}`, validate, and report every problem at once.
import { configPathKey, type ConfigPath } from './config-path.js';
import { configError, configErrorMap, fieldProblems, type FieldProblem } from './config-problems.js';
import { configSchema, type TollgateConfig } from './config-schema.js';
import { parseSource, type ConfigFormat, type SourcePosition, type SourceProblem } from './config-source.js';
import { interpolateEnv, type ConfigEnv } from './env-interpolation.js';
import { convertInterpolated } from './schema-paths.js';

/** Options of {@link readConfig}. */
export interface ReadConfigOptions {
  /** @default 'yaml' */
  readonly format?: ConfigFormat;
  /** Variables for `${VAR}`. @default process.env */
  readonly env?: ConfigEnv;
  /** How messages name the text, usually its file path. @default '<config>' */
  readonly source?: string;
}

/** A validated config and a way to point at its fields in later messages. */
export interface ReadConfig {
  readonly config: TollgateConfig;
  readonly locate: (path: ConfigPath) => SourcePosition;
}

/**
 * Parses and validates config text without building anything. Throws one ConfigError that lists
 * every problem (syntax first and alone, since nothing after a syntax error can be trusted).
 *
 * @example
 * const { config } = readConfig('version: 1\nauthenticate: { methods: [{ type: apiKey, store: { type: memory } }] }\n');
 * config.authenticate.methods[0]?.type // 'apiKey'
 */
export function readConfig(text: string, options: ReadConfigOptions = {}): ReadConfig {
  const source = options.source ?? '<config>';
  const parsed = parseSource(text, options.format ?? 'yaml');
  if (!parsed.ok) throw configError(source, parsed.problems);
  if (parsed.data === null || parsed.data === undefined) {
    throw configError(source, [{ position: { line: 1, col: 1 }, path: [], message: 'the file is empty; it needs at least version and authenticate' }]);
  }
  const interpolated = interpolateEnv(parsed.data, options.env ?? process.env, (path, value) => convertInterpolated(configSchema, path, value));
  const result = configSchema.safeParse(interpolated.value, { error: configErrorMap, reportInput: true });
  const problems: FieldProblem[] = [
    ...interpolated.problems,
    // A field whose reference failed still holds the raw `${…}` text; its schema complaint would be noise.
    ...(result.success ? [] : fieldProblems(result.error.issues, configSchema)).filter((p) => !interpolated.failedPaths.has(configPathKey(p.path))),
  ];
  if (!result.success || problems.length > 0) {
    const placed: SourceProblem[] = problems.map((p) => ({
      position: parsed.locate(p.path, p.part),
      path: p.path,
      message: p.message,
    }));
    throw configError(source, placed);
  }
  return { config: result.data, locate: (path) => parsed.locate(path) };
}
