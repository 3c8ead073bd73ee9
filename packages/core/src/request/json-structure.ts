// What JSON.parse hides: the first key that appears twice in one object, and how deep the text nests.

/** The structure of a JSON body, as seen in its text (or in its value when only that is available). */
export interface JsonBodyStructure {
  /** Path of the first key that appears twice in one object (`messages[0].role`), or undefined. */
  readonly duplicateKey: string | undefined;
  /** Deepest nesting of arrays and objects; a scalar body is 0, `{}` is 1. */
  readonly depth: number;
  /**
   * False when the body reached tollgate already parsed (a framework body parser ran first), so
   * duplicate keys could not be seen: the parser kept the last value of each, silently.
   */
  readonly duplicatesChecked: boolean;
}

type Frame = { kind: 'object'; keys: Set<string>; key: string | undefined; expectKey: boolean } | { kind: 'array'; index: number };

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * The path of a place in a body in the notation `param` uses: `messages[2].content`, `metadata["a b"]`.
 *
 * @example
 * formatJsonPath(['messages', 2, 'content']) // 'messages[2].content'
 */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const key = String(segment);
      const shown = key.length > 64 ? `${key.slice(0, 64)}…` : key;
      if (identifier.test(key)) out += out === '' ? key : `.${key}`;
      else out += `[${JSON.stringify(shown)}]`;
    }
  }
  return out;
}

function pathOf(stack: readonly Frame[]): PropertyKey[] {
  return stack.map((frame) => (frame.kind === 'array' ? frame.index : (frame.key ?? '')));
}

/** Index of the quote that closes the string opened at `open`, skipping escaped quotes. */
function closingQuote(text: string, open: number): number {
  let at = open + 1;
  for (;;) {
    const quote = text.indexOf('"', at);
    if (quote === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes += 1;
    if (backslashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

/**
 * Scans a text that `JSON.parse` accepted, without recursion, for duplicate keys (compared after
 * unescaping, so `"model"` and `"mod\u0065l"` are the same key) and nesting depth.
 *
 * @example
 * scanJsonStructure('{"model":"a","model":"b"}') // { duplicateKey: 'model', depth: 1, duplicatesChecked: true }
 */
export function scanJsonStructure(text: string): JsonBodyStructure {
  const stack: Frame[] = [];
  let depth = 0;
  let at = 0;
  while (at < text.length) {
    const char = text.charCodeAt(at);
    if (char === 0x7b /* { */ || char === 0x5b /* [ */) {
      stack.push(char === 0x7b ? { kind: 'object', keys: new Set(), key: undefined, expectKey: true } : { kind: 'array', index: 0 });
      if (stack.length > depth) depth = stack.length;
      at += 1;
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      stack.pop();
      at += 1;
    } else if (char === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.kind === 'array') top.index += 1;
      else if (top !== undefined) top.expectKey = true;
      at += 1;
    } else if (char === 0x22 /* " */) {
      const end = closingQuote(text, at);
      const top = stack[stack.length - 1];
      if (top?.kind === 'object' && top.expectKey) {
        const raw = text.slice(at + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(at, end + 1)) as string) : raw;
        if (top.keys.has(key)) {
          top.key = key;
          return { duplicateKey: formatJsonPath(pathOf(stack)), depth, duplicatesChecked: true };
        }
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      at = end + 1;
    } else {
      at += 1;
    }
  }
  return { duplicateKey: undefined, depth, duplicatesChecked: true };
}

/**
 * The nesting depth of an already-parsed value (arrays and plain objects), without recursion.
 * Stops counting once `limit` is passed, so a hostile value costs at most its size.
 *
 * @example
 * valueDepth({ a: [1, { b: 2 }] }) // 3
 */
export function valueDepth(value: unknown, limit = Number.MAX_SAFE_INTEGER): number {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [current, level] = pending.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    const here = level + 1;
    if (here > deepest) deepest = here;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(current) ? current : Object.values(current)) pending.push([child, here]);
  }
  return deepest;
}
