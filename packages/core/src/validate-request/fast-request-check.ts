// A zod-free check of the common chat completions body: accepts only bodies the zod schema accepts.
import { z } from 'zod';
import { maxNameLength } from './schemas/shared-fields.js';

/** A predicate on one field's value; true only where the field's zod schema accepts it too. */
type FieldCheck = (value: unknown) => boolean;

const absent = (value: unknown): boolean => value === undefined || value === null;
const plainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
const whole = (min: number, max: number): FieldCheck => (value) => absent(value) || (Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max);
const bounded = (min: number, max: number): FieldCheck => (value) => absent(value) || (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max);
const flag: FieldCheck = (value) => absent(value) || typeof value === 'boolean';
const shortText: FieldCheck = (value) => absent(value) || (typeof value === 'string' && value.length <= maxNameLength);

/** Text-only system, developer, user and assistant messages, without tool calls or refusals. */
function plainChatMessage(message: unknown): boolean {
  if (!plainObject(message) || typeof message['content'] !== 'string' || !shortText(message['name'])) return false;
  const role = message['role'];
  if (role === 'system' || role === 'developer' || role === 'user') return true;
  return role === 'assistant' && absent(message['refusal']) && absent(message['tool_calls']) && absent(message['function_call']);
}

/** Like `every`, but a hole counts as `undefined` (as zod reads it), not as skipped. */
function everyIndex(values: readonly unknown[], check: FieldCheck): boolean {
  for (let i = 0; i < values.length; i++) if (!check(values[i])) return false;
  return true;
}

/** The chat fields checked here, each no looser than its schema in openai-chat.ts / shared-fields.ts. */
const chatChecks: Readonly<Record<string, FieldCheck>> = {
  model: (value) => typeof value === 'string' && value.length >= 1 && value.length <= maxNameLength,
  messages: (value) => Array.isArray(value) && value.length >= 1 && everyIndex(value, plainChatMessage),
  max_tokens: whole(1, Number.MAX_SAFE_INTEGER),
  max_completion_tokens: whole(1, Number.MAX_SAFE_INTEGER),
  n: whole(1, 128),
  top_logprobs: whole(0, 20),
  seed: whole(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  temperature: bounded(0, 2),
  top_p: bounded(0, 1),
  frequency_penalty: bounded(-2, 2),
  presence_penalty: bounded(-2, 2),
  logprobs: flag,
  parallel_tool_calls: flag,
  stream: flag,
  user: shortText,
};

/** Whether a field's schema takes any value (the `unchecked` fields and `allowFields`). */
function takesAnything(schema: z.core.$ZodType): boolean {
  const def = schema._zod.def as { type: string; innerType?: z.core.$ZodType };
  return def.type === 'unknown' || (def.type === 'optional' && def.innerType !== undefined && takesAnything(def.innerType));
}

/**
 * Builds a check that answers true only for bodies `schema` accepts: the common chat shape (model,
 * text messages, scalar options). Any other field set must be absent (null or undefined where its
 * schema allows that, which is asked of zod itself) or free-form. False means "ask zod", which
 * accepts or builds the 400; the property test in request-schemas.test.ts holds it to that.
 *
 * @example
 * const fast = fastChatCheck(chatFields, 'pass', []);
 * fast({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }) // true
 */
export function fastChatCheck(fields: z.ZodRawShape, unknownFields: 'pass' | 'refuse', allowFields: readonly string[]): (body: Record<string, unknown>) => boolean {
  const free = new Set<string>(allowFields);
  const nullable: string[] = [];
  const checked: Array<[string, FieldCheck]> = [];
  for (const [name, schema] of Object.entries(fields)) {
    const check = chatChecks[name];
    if (check !== undefined) checked.push([name, check]);
    else if (takesAnything(schema)) free.add(name);
    // A field this check does not look into passes only when absent, and only if its schema allows that.
    else if (z.safeParse(schema, undefined).success && z.safeParse(schema, null).success) nullable.push(name);
    else return () => false;
  }
  const checks = new Map(checked);
  const mustBeAbsent = new Set(nullable);
  // The fields whose check refuses absence (model, messages): a body must name each.
  const required = checked.filter(([, check]) => !check(undefined)).map(([name]) => name);
  // Walks the body's few keys rather than every field of the schema: reading thirty names from each
  // body was a megamorphic keyed load apiece (1.6 % of a whole in-process request in perf).
  return (body) => {
    if (Object.getPrototypeOf(body) !== Object.prototype) return false;
    for (const name of Object.keys(body)) {
      const check = checks.get(name);
      if (check !== undefined) {
        if (!check(body[name])) return false;
      } else if (mustBeAbsent.has(name)) {
        if (!absent(body[name])) return false;
      } else if (unknownFields === 'refuse' && !free.has(name)) return false;
    }
    for (const name of required) if (body[name] === undefined) return false;
    return true;
  };
}
