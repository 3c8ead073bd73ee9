// A parsed config text before validation: its data, and where each field sits in the text (for messages).
import type { ConfigPath } from './config-path.js';
import { parseJsonSource } from './json-source.js';
import { parseYamlSource } from './yaml-source.js';

/** 1-based line and column in the config text. */
export interface SourcePosition {
  readonly line: number;
  readonly col: number;
}

/** A mistake found at a place in the text; `path` is absent for syntax errors. */
export interface SourceProblem {
  readonly position: SourcePosition;
  readonly path?: ConfigPath;
  readonly message: string;
}

/** Which part of a field a message points at: its key (unknown keys) or its value (everything else). */
export type SourcePart = 'key' | 'value';

/** The text parsed into plain data, or the syntax problems that prevented it. */
export type ParsedSource =
  | {
      readonly ok: true;
      readonly data: unknown;
      /** Where a field is; for a field that is absent, where its nearest present ancestor is. */
      readonly locate: (path: ConfigPath, part?: SourcePart) => SourcePosition;
    }
  | { readonly ok: false; readonly problems: readonly SourceProblem[] };

/** The config formats; YAML is the default, JSON is parsed strictly (no comments, no trailing commas). */
export type ConfigFormat = 'yaml' | 'json';

/**
 * Parses config text in either format. Duplicate keys are syntax problems in both: the later value
 * would otherwise win silently. A leading byte-order mark is ignored.
 *
 * @example
 * const parsed = parseSource('version: 1\n', 'yaml');
 * if (parsed.ok) parsed.locate(['version']); // { line: 1, col: 10 }
 */
export function parseSource(text: string, format: ConfigFormat): ParsedSource {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  return format === 'json' ? parseJsonSource(body) : parseYamlSource(body);
}
