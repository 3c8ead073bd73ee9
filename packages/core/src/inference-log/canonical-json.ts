// One serialisation of a JSON value that does not depend on key order, for hashing.

// Object keys recur (role, content, type, text…): each is quoted once. Bounded, because request
// bodies choose their keys; past the bound keys are quoted afresh.
const quotedKeys = new Map<string, string>();
const maxQuotedKeys = 512;
const maxCachedKeyLength = 64;

function quotedKey(key: string): string {
  const cached = quotedKeys.get(key);
  if (cached !== undefined) return cached;
  const quoted = JSON.stringify(key);
  if (quotedKeys.size < maxQuotedKeys && key.length <= maxCachedKeyLength) quotedKeys.set(key, quoted);
  return quoted;
}

/**
 * The keys of `record` in code-unit order, as `Array.prototype.sort()` orders strings. Objects in
 * prompts have a handful of keys: those are sorted in place by insertion, without the scratch copy
 * the built-in sort makes; larger ones use the built-in sort.
 */
function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/**
 * JSON with object keys sorted at every level and `undefined` members left out, so the same value
 * always gives the same text (and hash), whatever order its keys were written or parsed in.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  // Built by concatenation: this runs on every prompt and every chained record.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      // A hole stays empty, as Array.prototype.map and join leave it.
      if (!(i in value)) continue;
      const item: unknown = value[i];
      out += item === undefined ? 'null' : canonicalJson(item);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const key of sortedKeys(record)) {
    const item = record[key];
    if (item === undefined) continue;
    if (!first) out += ',';
    out += quotedKey(key);
    out += ':';
    out += canonicalJson(item);
    first = false;
  }
  return `${out}}`;
}
