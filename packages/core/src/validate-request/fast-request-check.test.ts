// The zod-free chat check against the zod schema: whatever it accepts, zod accepts, in both modes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fastChatCheck } from './fast-request-check.js';
import { chatFields } from './schemas/openai-chat.js';

const edgeNumbers = [0, -0, 0.5, 1, 2, 2.5, -2, -2.5, 20, 21, 100, 101, 128, 129, -100, Number.NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), 1e300];
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer({ min: -3, max: 200 }),
  fc.constantFrom(...edgeNumbers),
  fc.double(),
  fc.string({ maxLength: 5 }),
  fc.constantFrom('', 'x'.repeat(256), 'x'.repeat(257), 'system', 'user', 'assistant'),
  fc.jsonValue({ maxDepth: 2 }),
);
// Mostly absent, as in real bodies, so that a fair share of them is accepted.
const mostlyAbsent = fc.oneof({ weight: 60, arbitrary: fc.constant(undefined) }, { weight: 6, arbitrary: fc.constant(null) }, { weight: 3, arbitrary: anyValue });
const message = fc.oneof(
  { weight: 30, arbitrary: fc.record(
    {
      role: fc.oneof({ weight: 8, arbitrary: fc.constantFrom('system', 'developer', 'user', 'assistant') }, { weight: 1, arbitrary: fc.constantFrom('tool', 'function', 'other', 1) }),
      content: fc.oneof({ weight: 12, arbitrary: fc.string({ maxLength: 20 }) }, { weight: 1, arbitrary: fc.constant([{ type: 'text', text: 'hi' }]) }, { weight: 1, arbitrary: anyValue }),
      name: mostlyAbsent,
      refusal: mostlyAbsent,
      tool_calls: mostlyAbsent,
      function_call: mostlyAbsent,
      tool_call_id: mostlyAbsent,
      extra: mostlyAbsent,
    },
    { requiredKeys: ['role', 'content'] },
  ) },
  { weight: 1, arbitrary: anyValue },
);
// One or two fields set to anything (edge numbers, long text, nested JSON), on an otherwise common body.
const body = fc
  .record({
    fields: fc.subarray(Object.keys(chatFields), { maxLength: 2 }),
    values: fc.array(anyValue, { minLength: 2, maxLength: 2 }),
    model: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('gpt-4o', 'x'.repeat(256)) }, { weight: 1, arbitrary: anyValue }),
    messages: fc.oneof({ weight: 8, arbitrary: fc.array(message, { minLength: 1, maxLength: 3 }) }, { weight: 1, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: anyValue }),
    extra: fc.dictionary(fc.constantFrom('top_k', 'foo', 'store', 'audio', 'constructor', 'toString'), anyValue, { maxKeys: 2 }),
  })
  .map(({ fields, values, model, messages, extra }) => {
    const value: Record<string, unknown> = { ...extra, model, messages };
    fields.forEach((name, i) => (value[name] = values[i]));
    return value;
  });

describe('fastChatCheck', () => {
  for (const [mode, allow] of [['pass', []], ['refuse', ['top_k']]] as const) {
    it(`accepts only what the zod schema accepts (${mode})`, () => {
      const extra = Object.fromEntries(allow.map((name) => [name, z.unknown().optional()]));
      const schema = mode === 'refuse' ? z.strictObject({ ...extra, ...chatFields }) : z.looseObject(chatFields);
      const fast = fastChatCheck(chatFields, mode, allow);
      let accepted = 0;
      fc.assert(
        fc.property(body, (value) => {
          if (!fast(value)) return;
          accepted += 1;
          expect(schema.safeParse(value).success).toBe(true);
        }),
        { numRuns: 10_000 },
      );
      // The property means something only if the fast path does accept: several hundred of the bodies.
      expect(accepted).toBeGreaterThan(250);
    });
  }

  it('accepts no value of any single field that the zod schema refuses', () => {
    const schema = z.looseObject(chatFields);
    const fast = fastChatCheck(chatFields, 'pass', []);
    const base = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };
    for (const name of Object.keys(chatFields)) {
      fc.assert(
        fc.property(anyValue, (value) => {
          const candidate = { ...base, [name]: value };
          if (fast(candidate)) expect(schema.safeParse(candidate).success).toBe(true);
        }),
        { numRuns: 300, examples: edgeNumbers.map((n): [unknown] => [n]) },
      );
    }
  });

  it('accepts the everyday chat body and passes anything else on to zod', () => {
    const fast = fastChatCheck(chatFields, 'refuse', []);
    const everyday = { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi', name: 'al' }], max_tokens: 32, temperature: 0.2, stream: true, store: false };
    expect(fast(everyday)).toBe(true);
    expect(fast({ ...everyday, tools: [] })).toBe(false);
    expect(fast({ ...everyday, top_k: 3 })).toBe(false);
    expect(fast({ ...everyday, messages: [{ role: 'tool', tool_call_id: 'c', content: 'ok' }] })).toBe(false);
    expect(fast({ ...everyday, max_tokens: 0 })).toBe(false);
    // A required field missing, or named with nothing in it: zod's 400 to give.
    const { model, messages, ...rest } = everyday;
    expect([fast({ ...rest, messages }), fast({ ...rest, model }), fast({ ...everyday, model: undefined })]).toEqual([false, false, false]);
    expect(fast({ ...everyday, logit_bias: null, tools: undefined })).toBe(true);
  });
});
