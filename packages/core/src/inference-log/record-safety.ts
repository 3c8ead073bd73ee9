// Keeps records safe to store and read: no credential, no control character, no forged field, bounded size.

const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

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
];

/**
 * Replaces anything that looks like a credential with a `[redacted]` marker.
 *
 * @example
 * scrubCredentials('Authorization: Bearer abcdefgh12345678') // 'Authorization: Bearer [redacted]'
 */
export function scrubCredentials(text: string): string {
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
  return cut.replace(controlCharacters, '\uFFFD');
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
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Error) return { name: safeText(value.name, 64), ...('code' in value && typeof value.code === 'string' ? { code: safeText(value.code, 64) } : {}) };
  if (Array.isArray(value)) {
    return value.slice(0, limits.maxEntries).map((item) => safeValue(item, limits, depth + 1) ?? null);
  }
  if (value instanceof Set) return safeValue([...value], limits, depth);
  if (value instanceof Map) return safeValue(Object.fromEntries([...value].filter(([k]) => typeof k === 'string')), limits, depth);
  const out: Record<string, unknown> = {};
  let entries = 0;
  for (const [rawKey, item] of Object.entries(value as Record<string, unknown>)) {
    if (!safeKey.test(rawKey) || forbiddenKeys.has(rawKey)) continue;
    if (entries++ >= limits.maxEntries) break;
    const key = snakeCase(rawKey);
    if (sensitiveKey.test(key)) {
      out[key] = '[redacted]';
      continue;
    }
    const safe = safeValue(item, limits, depth + 1);
    if (safe !== undefined) out[key] = safe;
  }
  return out;
}
