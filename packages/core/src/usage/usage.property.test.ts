// Property tests of the response side: any chunking gives the same usage; any bytes never crash; memory stays bounded.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createContext } from '../context/tg-context.js';
import { createRequest } from '../request/tg-request.js';
import type { InferenceApi } from '../validate-request/api-route.js';
import type { ResponseDecision } from './output-checker.js';
import { usageObserver } from './response-observer.js';
import { responseSamples } from './response-samples.js';
import { SseReader, type SseEvent } from './sse-reader.js';

const encoder = new TextEncoder();
const apis: InferenceApi[] = ['chat', 'completions', 'embeddings', 'responses', 'anthropic_messages'];

function run(api: InferenceApi, contentType: string, chunks: readonly Uint8Array[], aborted = false, maxEventBytes = 4096) {
  const request = createRequest({ method: 'POST', path: '/', headerValues: () => [], remoteAddress: undefined, body: () => ({ kind: 'none' }) });
  const { context } = createContext({ requestId: 'r', request, clientIp: undefined, requestIdHeader: 'x-request-id' });
  const decision: ResponseDecision = {};
  const observer = usageObserver(context, { abort: () => undefined }, {
    api, model: 'm', promptTokens: 7, countOutput: (text) => text.length,
    output: { schema: 'flag', detector: undefined, timeoutMs: 100, everyChars: 0, onError: 'flag', hold: false, maxChars: 1000 },
    recordUsage: true, maxJsonBytes: 65_536, maxEventBytes,
  }, decision);
  observer.start?.(200, contentType);
  for (const chunk of chunks) observer.chunk(chunk);
  observer.end?.({ status: 200, aborted });
  return { usage: context.usage, decision };
}

/** Cuts bytes at the given (sorted, deduplicated) offsets. */
function cut(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let last = 0;
  for (const point of [...points, bytes.length]) {
    parts.push(bytes.subarray(last, point));
    last = point;
  }
  return parts;
}

describe('usage extraction under arbitrary chunking', () => {
  it.each(Object.entries(responseSamples))('%s: the same usage wherever the chunks break (mid-character, mid-CRLF)', (_name, sample) => {
    const bytes = encoder.encode(sample.body.replaceAll('\n', Math.random() < 0.5 ? '\n' : '\r\n'));
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 40 }), (offsets) => {
        expect(run(sample.api, sample.contentType, cut(bytes, offsets)).usage).toEqual(sample.usage);
      }),
      { numRuns: 150 },
    );
  });
});

describe('never a crash, whatever the upstream sends', () => {
  it('survives arbitrary bytes as a stream or a JSON body, and any usage it records is valid', () => {
    fc.assert(
      fc.property(fc.constantFrom(...apis), fc.constantFrom('text/event-stream', 'application/json'), fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 }), fc.boolean(), (api, type, chunks, aborted) => {
        const { usage } = run(api, type, chunks, aborted);
        if (usage !== undefined) {
          expect(Number.isSafeInteger(usage.inputTokens) && usage.inputTokens >= 0).toBe(true);
          expect(Number.isSafeInteger(usage.outputTokens) && usage.outputTokens >= 0).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('survives hostile events: deep nesting, huge arrays, unicode, lookalike usage', () => {
    const hostile = fc.oneof(
      fc.nat({ max: 50_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
      fc.nat({ max: 5_000 }).map((n) => JSON.stringify({ choices: Array.from({ length: n }, () => ({ delta: { content: 'x' } })) })),
      fc.string({ unit: 'grapheme', maxLength: 200 }).map((text) => JSON.stringify({ choices: [{ delta: { content: text } }], usage: { prompt_tokens: text.length, completion_tokens: '1' } })),
      fc.jsonValue({ maxDepth: 8 }).map((value) => JSON.stringify({ usage: value, response: value, message: value })),
      fc.string({ unit: 'binary', maxLength: 200 }),
    );
    fc.assert(
      fc.property(fc.array(hostile, { maxLength: 6 }), fc.constantFrom(...apis), (events, api) => {
        const body = encoder.encode(events.map((data) => `data: ${data.replace(/[\r\n]/g, ' ')}\n\n`).join(''));
        expect(() => run(api, 'text/event-stream', cut(body, [body.length >> 1]), true, 1_048_576)).not.toThrow();
      }),
      { numRuns: 80 },
    );
  });
});

describe('SseReader', () => {
  const eventArb = fc.record({
    event: fc.option(fc.stringMatching(/^[a-z_.]{1,20}$/), { nil: undefined }),
    data: fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, '')), { minLength: 1, maxLength: 3 }),
  });

  it('gives back exactly the events written, for any line endings and any chunking', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 8 }), fc.constantFrom('\n', '\r\n', '\r'), fc.array(fc.nat(), { maxLength: 30 }), (events, eol, offsets) => {
        const text = events.map((e) => `${e.event === undefined ? '' : `event: ${e.event}${eol}`}${e.data.map((d) => `data: ${d}${eol}`).join('')}${eol}`).join(`:comment${eol}`);
        const seen: SseEvent[] = [];
        const reader = new SseReader((event) => seen.push(event));
        for (const part of cut(encoder.encode(text), offsets)) reader.push(part);
        reader.end();
        expect(seen).toEqual(events.map((e) => ({ event: e.event, data: e.data.join('\n') })));
      }),
      { numRuns: 300 },
    );
  });

  it('ignores one byte order mark at the start of the stream, in any chunking, and no other', () => {
    const bytes = encoder.encode('\uFEFFdata: a\n\n\uFEFFdata: b\n\ndata: c\uFEFF\n\n');
    for (let at = 0; at <= bytes.length; at += 1) {
      const seen: string[] = [];
      const reader = new SseReader((event) => seen.push(event.data));
      for (const part of cut(bytes, [at])) reader.push(part);
      reader.end();
      // The second mark starts a line whose field is then not `data` (WHATWG: only one leading mark is ignored).
      expect(seen).toEqual(['a', 'c\uFEFF']);
    }
  });

  it('drops an event over its size limit whole, keeps the ones around it, and holds no more than the limit', () => {
    const seen: string[] = [];
    const reader = new SseReader((event) => seen.push(event.data), 1024);
    reader.push(encoder.encode('data: first\n\n'));
    for (let i = 0; i < 1000; i += 1) reader.push(encoder.encode(i === 0 ? 'data: ' : 'x'.repeat(1000)));
    reader.push(encoder.encode('\n\ndata: a\ndata: '));
    reader.push(encoder.encode(`${'y'.repeat(2000)}\n\ndata: last\n\n`));
    reader.end();
    expect(seen).toEqual(['first', 'last']);
  });
});
