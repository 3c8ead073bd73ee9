// The key file `{ keys: KeyRecord[] }` as YAML or JSON: parsing with line numbers for mistakes, and writing.
import { extname } from 'node:path';
import { LineCounter, isMap, isNode, isSeq, parseDocument, stringify } from 'yaml';
import { ConfigError } from '../errors/tollgate-error.js';
import type { KeyRecord } from './key-record.js';
import { parseKeyRecord } from './key-record-schema.js';

/** How a key file is written, chosen by its extension. */
export type KeyFileFormat = 'yaml' | 'json';

/**
 * The format of a key file from its extension (`.yaml`, `.yml`, `.json`); throws a ConfigError otherwise.
 *
 * @example
 * keyFileFormat('/etc/tollgate/keys.yaml') // 'yaml'
 */
export function keyFileFormat(path: string): KeyFileFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json') return 'json';
  throw new ConfigError(`Key file ${path} must end in .yaml, .yml or .json to say its format; got "${ext}"`);
}

/** The document's data and, for YAML, where each entry of `keys` starts. */
interface ParsedText {
  readonly data: unknown;
  readonly lineOf: (index: number) => number | undefined;
}

function parseYaml(text: string, file: string): ParsedText {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const error = doc.errors[0];
  if (error !== undefined) throw new ConfigError(`Key file ${file} is not valid YAML: ${error.message}`, { cause: error });
  const keys = isMap(doc.contents) ? doc.contents.get('keys', true) : undefined;
  return {
    data: doc.toJS({ maxAliasCount: 100 }),
    lineOf(index) {
      const item: unknown = isSeq(keys) ? keys.items[index] : undefined;
      const offset = isNode(item) ? item.range?.[0] : undefined;
      return offset === undefined ? undefined : lineCounter.linePos(offset).line;
    },
  };
}

function parseJson(text: string, file: string): ParsedText {
  try {
    return { data: JSON.parse(text), lineOf: () => undefined };
  } catch (error) {
    throw new ConfigError(`Key file ${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses and validates a key file's text. An empty file holds no keys. Throws a ConfigError naming the
 * file and, for a bad or duplicate record, its index, its id and (YAML) its line.
 *
 * @example
 * const records = parseKeyFile(readFileSync(path, 'utf8'), 'yaml', path);
 */
export function parseKeyFile(text: string, format: KeyFileFormat, file: string): KeyRecord[] {
  if (text.trim() === '') return [];
  const { data, lineOf } = format === 'yaml' ? parseYaml(text, file) : parseJson(text, file);
  if (data === null || data === undefined) return [];
  if (!isPlainObject(data)) throw new ConfigError(`Key file ${file} must hold an object with a "keys" list`);
  const unknown = Object.keys(data).filter((name) => name !== 'keys');
  if (unknown.length > 0) throw new ConfigError(`Key file ${file} has unknown top-level fields: ${unknown.join(', ')}; only "keys" is allowed`);
  if (!Array.isArray(data.keys)) throw new ConfigError(`Key file ${file} must have a "keys" list`);
  const place = (index: number): string => {
    const line = lineOf(index);
    return `${file}${line === undefined ? '' : ` line ${line}`} (keys[${index}])`;
  };
  const seen = new Map<string, number>();
  return data.keys.map((value: unknown, index) => {
    const record = parseKeyRecord(value, place(index));
    const first = seen.get(record.id);
    if (first !== undefined) {
      throw new ConfigError(`Key file ${file} has key id "${record.id}" twice: ${place(first)} and ${place(index)}`);
    }
    seen.set(record.id, index);
    return record;
  });
}

/**
 * The text of a key file holding `records`, in the given format.
 *
 * @example
 * await writeFile(path, serializeKeyFile(records, 'yaml'));
 */
export function serializeKeyFile(records: readonly KeyRecord[], format: KeyFileFormat): string {
  const document = { keys: records };
  // lineWidth 0: never fold long scalars such as argon2 hashes across lines.
  return format === 'yaml' ? stringify(document, { lineWidth: 0 }) : `${JSON.stringify(document, null, 2)}\n`;
}
