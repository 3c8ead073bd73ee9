// Strict JSON parsing that remembers where every key and value starts, and refuses duplicate keys.
import type { ConfigPath } from './config-path.js';
import { configPathKey } from './config-path.js';
import type { ParsedSource, SourcePart, SourcePosition, SourceProblem } from './config-source.js';

const numberToken = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const whitespace = /[ \t\n\r]*/y;
// Far deeper than any config; keeps a hostile file from overflowing the stack.
const maxDepth = 64;

/**
 * Maps offsets in a text to lines and columns.
 *
 * @example
 * lineColumnOf('a\nbc')(3) // { line: 2, col: 2 }
 */
export function lineColumnOf(text: string): (offset: number) => SourcePosition {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, col: offset - starts[low]! + 1 };
  };
}

class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** Offsets of a field: its key (for object members) and its value. */
interface FieldOffsets {
  readonly key?: number;
  readonly value: number;
}

class JsonReader {
  offset = 0;
  readonly fields = new Map<string, FieldOffsets>();
  readonly duplicates: { offset: number; path: ConfigPath; key: string }[] = [];

  constructor(private readonly text: string) {}

  skipSpace(): void {
    whitespace.lastIndex = this.offset;
    whitespace.exec(this.text);
    this.offset = whitespace.lastIndex;
  }

  fail(message: string): never {
    const found = this.text[this.offset];
    throw new JsonSyntaxError(this.offset, found === undefined ? `${message}, found the end of the file` : `${message}, found ${JSON.stringify(found)}`);
  }

  expect(char: string): void {
    if (this.text[this.offset] !== char) this.fail(`expected "${char}"`);
    this.offset += 1;
  }

  value(path: ConfigPath, keyOffset: number | undefined): unknown {
    this.skipSpace();
    if (path.length > maxDepth) this.fail(`nested more than ${maxDepth} levels deep`);
    this.fields.set(configPathKey(path), { ...(keyOffset === undefined ? {} : { key: keyOffset }), value: this.offset });
    const char = this.text[this.offset];
    if (char === '{') return this.object(path);
    if (char === '[') return this.array(path);
    if (char === '"') return this.string();
    for (const [word, literal] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.offset)) {
        this.offset += word.length;
        return literal;
      }
    }
    numberToken.lastIndex = this.offset;
    const number = numberToken.exec(this.text);
    if (number === null) this.fail('expected a value (an object, list, string, number, true, false or null)');
    this.offset = numberToken.lastIndex;
    return Number(number[0]);
  }

  string(): string {
    const start = this.offset;
    let end = start + 1;
    while (end < this.text.length && this.text[end] !== '"') end += this.text[end] === '\\' ? 2 : 1;
    if (end >= this.text.length) throw new JsonSyntaxError(start, 'string is not closed');
    this.offset = end + 1;
    try {
      return JSON.parse(this.text.slice(start, end + 1)) as string;
    } catch {
      throw new JsonSyntaxError(start, 'invalid string: a bad escape or a raw control character (write \\n, \\t, …)');
    }
  }

  object(path: ConfigPath): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.expect('{');
    this.skipSpace();
    if (this.text[this.offset] === '}') {
      this.offset += 1;
      return out;
    }
    for (;;) {
      this.skipSpace();
      const keyOffset = this.offset;
      if (this.text[this.offset] !== '"') this.fail('expected a key in double quotes');
      const key = this.string();
      this.skipSpace();
      this.expect(':');
      if (Object.hasOwn(out, key)) this.duplicates.push({ offset: keyOffset, path, key });
      // defineProperty: a key named __proto__ stays an ordinary (and then unknown) key.
      Object.defineProperty(out, key, { value: this.value([...path, key], keyOffset), enumerable: true, writable: true, configurable: true });
      this.skipSpace();
      if (this.text[this.offset] === '}') {
        this.offset += 1;
        return out;
      }
      if (this.text[this.offset] !== ',') this.fail('expected "," or "}"');
      this.offset += 1;
    }
  }

  array(path: ConfigPath): unknown[] {
    const out: unknown[] = [];
    this.expect('[');
    this.skipSpace();
    if (this.text[this.offset] === ']') {
      this.offset += 1;
      return out;
    }
    for (;;) {
      out.push(this.value([...path, out.length], undefined));
      this.skipSpace();
      if (this.text[this.offset] === ']') {
        this.offset += 1;
        return out;
      }
      if (this.text[this.offset] !== ',') this.fail('expected "," or "]"');
      this.offset += 1;
    }
  }
}

/**
 * Parses JSON text (RFC 8259, nothing more) with positions for every field.
 *
 * @example
 * const parsed = parseJsonSource('{\n  "version": 1\n}');
 * if (parsed.ok) parsed.locate(['version'], 'key'); // { line: 2, col: 3 }
 */
export function parseJsonSource(text: string): ParsedSource {
  const position = lineColumnOf(text);
  const reader = new JsonReader(text);
  let data: unknown;
  try {
    data = text.trim() === '' ? null : reader.value([], undefined);
    reader.skipSpace();
    if (reader.offset < text.length) reader.fail('expected the end of the file after the top-level value');
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return { ok: false, problems: [{ position: position(error.offset), message: `JSON syntax: ${error.message}` }] };
  }
  if (reader.duplicates.length > 0) {
    const problems: SourceProblem[] = reader.duplicates.map((d) => ({
      position: position(d.offset),
      path: [...d.path, d.key],
      message: `duplicate key ${JSON.stringify(d.key)}`,
    }));
    return { ok: false, problems };
  }
  const locate = (path: ConfigPath, part: SourcePart = 'value'): SourcePosition => {
    for (let length = path.length; length >= 0; length--) {
      const field = reader.fields.get(configPathKey(path.slice(0, length)));
      if (field === undefined) continue;
      // An absent field points at its parent's value; a present one at its key only when asked.
      const offset = length === path.length && part === 'key' && field.key !== undefined ? field.key : field.value;
      return position(offset);
    }
    return { line: 1, col: 1 };
  };
  return { ok: true, data, locate };
}
