// Keeps records safe to store and read: no credential, no control character, no forged field, bounded size.

const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const hasControlCharacter = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

// Credential shapes that may turn up in a path, a user agent, a decision or raw content.
const credentialPatterns: readonly (readonly [RegExp, string])[] = [
  // A tollgate key, or any long enough prefix of one.
  [/tg_[a-z0-9]{1,16}_[0-9A-Za-z]{12}_[0-9A-Za-z]{4,}/g, 'tg_[redacted]'],
  [/\b(bearer|basic|token)(\s+)[^\s,;"']{8,}/gi, '$1$2[redacted]'],
  // A JWT (header.payload.signature, base64url).
  [/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, '[redacted-jwt]'],
  // Provider keys (OpenAI, Anthropic and others with an sk- prefix).
  [/\bsk-[A-Za-z0-9_-]{16,}/g, 'sk-[redacted]'],
  [/\b((?:api[_-]?key|access[_-]?token|refresh[_-]?token|id[_-]?token|token|client[_-]?secret|secret|password|passwd|pwd|sig|signature)["']?\s*[=:]\s*["']?)[^\s&,;"']+/gi, '$1[redacted]'],
  // The password of a URL's userinfo (`redis://user:pw@host`, `postgres://:pw@h/db`); up to the last `@`
  // of the authority, as URL parsers read an unescaped `@` in a password.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:)[^\s/?#]+@/gi, '$1[redacted]@'],
];

// Every pattern at once, case-insensitively: a superset of what the patterns match (case-insensitivity
// only widens the case-sensitive ones), so text it finds nothing in is text no pattern changes.
const anyCredential = new RegExp(credentialPatterns.map(([pattern]) => pattern.source).join('|'), 'i');

/**
 * Replaces anything that looks like a credential with a `[redacted]` marker.
 *
 * @example
 * scrubCredentials('Authorization: Bearer abcdefgh12345678') // 'Authorization: Bearer [redacted]'
 */
export function scrubCredentials(text: string): string {
  // Most record strings (rule names, models, units) hold nothing: one scan instead of six replaces.
  if (!anyCredential.test(text)) return text;
  let out = text;
  for (const [pattern, replacement] of credentialPatterns) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A string from the request (path, user agent) made safe for a record: credentials scrubbed, control
 * characters (CR, LF, ESC, U+2028…) replaced by U+FFFD, cut to `maxLength` characters.
 *
 * @example
 * safeText('curl/8\r\n{"tenant_id":"x"}', 64) // 'curl/8\uFFFD\uFFFD{"tenant_id":"x"}' (one JSON string once serialised)
 */
export function safeText(value: string, maxLength: number): string {
  // Scrub before cutting, so that a cut never leaves the recognisable start of a credential behind.
  const scrubbed = scrubCredentials(value.length > maxLength + 256 ? value.slice(0, maxLength + 256) : value);
  const cut = scrubbed.length > maxLength ? `${scrubbed.slice(0, maxLength)}…` : scrubbed;
  return hasControlCharacter.test(cut) ? cut.replace(controlCharacters, '\uFFFD') : cut;
}

const contentControlCharacters = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * Raw prompt or output text made safe for a record: credentials scrubbed, control characters other
 * than tab, CR and LF (which JSON escapes) replaced by U+FFFD.
 *
 * @example
 * safeContent('line 1\nline 2 \u001b[31m') // 'line 1\nline 2 \uFFFD[31m'
 */
export function safeContent(text: string): string {
  return scrubCredentials(text).replace(contentControlCharacters, '\uFFFD');
}

// Keys that name a secret, compared in snake_case.
const sensitiveKey = /(?:^|_)(?:authorization|cookie|password|passwd|secret|credentials?|api_?key|private_key|bearer)(?:_|$)|(?:^|_)(?:token|signature)$/;
const safeKey = /^[A-Za-z0-9_.:-]{1,64}$/;
const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);

/** camelCase → snake_case, so every field of a record reads the same way. */
export function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/-/g, '_').toLowerCase();
}

/** What a raw key becomes in a record: dropped, its snake_case name, and whether its value is redacted. */
type KeyVerdict = { readonly key: string; readonly redact: boolean } | null;

// Records repeat the same few dozen keys, so each key's verdict is worked out once. Bounded: keys an
// app's `fields` function makes up per request must not grow it without end (they are judged afresh).
const keyVerdicts = new Map<string, KeyVerdict>();
const maxKeyVerdicts = 4096;

function judgeKey(rawKey: string): KeyVerdict {
  if (!safeKey.test(rawKey) || forbiddenKeys.has(rawKey)) return null;
  const key = snakeCase(rawKey);
  // `__Proto__` snake-cases to `__proto__`: it must not become the prototype of the copy.
  if (forbiddenKeys.has(key)) return null;
  return { key, redact: sensitiveKey.test(key) };
}

function keyVerdict(rawKey: string): KeyVerdict {
  let verdict = keyVerdicts.get(rawKey);
  if (verdict === undefined) {
    verdict = judgeKey(rawKey);
    if (keyVerdicts.size < maxKeyVerdicts) keyVerdicts.set(rawKey, verdict);
  }
  return verdict;
}

/** Limits applied by {@link safeValue}. */
export interface SafeValueLimits {
  readonly maxStringLength: number;
  readonly maxDepth: number;
  readonly maxEntries: number;
}

const defaultLimits: SafeValueLimits = { maxStringLength: 1024, maxDepth: 5, maxEntries: 50 };

/**
 * A copy of a decision or an app field that is plain JSON and safe to log: keys in snake_case and
 * limited to `[A-Za-z0-9_.:-]`, values of secret-named keys replaced, strings passed through
 * {@link safeText}, depth and sizes bounded, functions and symbols dropped.
 *
 * @example
 * safeValue({ allow: true, ruleName: 'tier-free', apiKey: 'x' }) // { allow: true, rule_name: 'tier-free', api_key: '[redacted]' }
 */
export function safeValue(value: unknown, limits: SafeValueLimits = defaultLimits, depth = 0): unknown {
  switch (typeof value) {
    case 'string':
      return safeText(value, limits.maxStringLength);
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  if (depth >= limits.maxDepth) return '[too deep]';
  if (Array.isArray(value)) {
    const count = Math.min(value.length, limits.maxEntries);
    const out: unknown[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = safeValue(value[i], limits, depth + 1) ?? null;
    return out;
  }
  // Decisions are plain objects: they skip the checks for the other kinds.
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    if (value instanceof Error) return { name: safeText(value.name, 64), ...('code' in value && typeof value.code === 'string' ? { code: safeText(value.code, 64) } : {}) };
    if (value instanceof Set) return safeValue([...value], limits, depth);
    if (value instanceof Map) return safeValue(Object.fromEntries([...value].filter(([k]) => typeof k === 'string')), limits, depth);
  }
  const out: Record<string, unknown> = {};
  let entries = 0;
  for (const rawKey of Object.keys(value as object)) {
    const verdict = keyVerdict(rawKey);
    if (verdict === null) continue;
    if (entries++ >= limits.maxEntries) break;
    if (verdict.redact) {
      out[verdict.key] = '[redacted]';
      continue;
    }
    const safe = safeValue((value as Record<string, unknown>)[rawKey], limits, depth + 1);
    if (safe !== undefined) out[verdict.key] = safe;
  }
  return out;
}
