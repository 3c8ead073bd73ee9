// Usage read from real response shapes into context.recordUsage, cut-off streams, and the output checks.
import { describe, expect, it, vi } from 'vitest';
import { createContext, type TgContext } from '../context/tg-context.js';
import { createRequest } from '../request/tg-request.js';
import type { OutputDetector } from '../validate-request/content-check.js';
import type { OutputSettings, ResponseDecision } from './output-checker.js';
import { usageObserver, type ObserverSettings } from './response-observer.js';
import { responseSamples, type ResponseSample } from './response-samples.js';

const encoder = new TextEncoder();

function newContext(): TgContext {
  const request = createRequest({ method: 'POST', path: '/v1/chat/completions', headerValues: () => [], remoteAddress: undefined, body: () => ({ kind: 'none' }) });
  return createContext({ requestId: 'req_1', request, clientIp: undefined, requestIdHeader: 'x-request-id' }).context;
}

const output = (extra: Partial<OutputSettings>): OutputSettings => ({ schema: 'off', detector: undefined, timeoutMs: 500, everyChars: 0, onError: 'flag', hold: true, maxChars: 1_000_000, ...extra });

function observe(sample: Pick<ResponseSample, 'api' | 'contentType'>, extra: Partial<ObserverSettings> = {}) {
  const context = newContext();
  const decision: ResponseDecision = {};
  const abort = vi.fn();
  const observer = usageObserver(context, { abort }, {
    api: sample.api, model: 'm', promptTokens: 40, countOutput: (text) => text.length, output: undefined,
    recordUsage: true, maxJsonBytes: 8_388_608, maxEventBytes: 1_048_576, ...extra,
  }, decision);
  observer.start?.(200, sample.contentType);
  return { context, decision, abort, observer };
}

describe('usage from responses', () => {
  it.each(Object.entries(responseSamples))('reads %s, whole or one byte at a time', (_name, sample) => {
    for (const chunking of ['whole', 'bytes'] as const) {
      const { context, decision, observer } = observe(sample);
      const bytes = encoder.encode(sample.body);
      if (chunking === 'whole') observer.chunk(bytes);
      else for (let i = 0; i < bytes.length; i += 1) observer.chunk(bytes.subarray(i, i + 1));
      observer.end?.({ status: 200, aborted: false });
      expect(context.usage, chunking).toEqual(sample.usage);
      expect(decision.usage).toBe(sample.usage === undefined ? 'none' : 'response');
    }
  });

  it('reads streams whatever their line endings (CRLF, CR) and a leading byte-order mark', () => {
    const body = responseSamples['chatStream']!.body;
    for (const variant of [body.replaceAll('\n', '\r\n'), body.replaceAll('\n', '\r'), `\ufeff${body}`]) {
      const { context, observer } = observe(responseSamples['chatStream']!);
      observer.chunk(encoder.encode(variant));
      observer.end?.({ status: 200, aborted: false });
      expect(context.usage).toEqual({ inputTokens: 9, outputTokens: 4 });
    }
  });

  it('charges a stream cut off before its usage the prompt estimate plus what it streamed', () => {
    const { context, decision, observer } = observe(responseSamples['chatStream']!);
    const body = responseSamples['chatStream']!.body;
    observer.chunk(encoder.encode(body.slice(0, body.indexOf('"finish_reason":"stop"'))));
    observer.end?.({ status: 200, aborted: true });
    expect(context.usage).toEqual({ inputTokens: 40, outputTokens: 'Héllo wörld 🌍'.length });
    expect(decision.usage).toBe('estimated');
  });

  it("keeps Anthropic's reported input and charges the larger output when cut off mid-message", () => {
    const sample = responseSamples['anthropicStream']!;
    const { context, decision, observer } = observe(sample);
    observer.chunk(encoder.encode(sample.body.slice(0, sample.body.indexOf('event: content_block_stop'))));
    expect(context.usage).toEqual({ inputTokens: 175, outputTokens: 1 });
    observer.end?.({ status: 200, aborted: true });
    expect(context.usage).toEqual({ inputTokens: 175, outputTokens: 'Bonjour à tous'.length });
    expect(decision.usage).toBe('estimated');
  });

  it('records nothing for errors, for unknown types, for bodies past the limit, or when told not to', () => {
    const sample = responseSamples['chatJson']!;
    const cases: Array<[number, string, Partial<ObserverSettings>]> = [[500, 'application/json', {}], [200, 'text/plain', {}], [200, 'application/json', { maxJsonBytes: 10 }], [200, 'application/json', { recordUsage: false }]];
    for (const [status, type, extra] of cases) {
      const { context, decision, observer } = observe({ ...sample, contentType: type }, extra);
      observer.start?.(status, type);
      observer.chunk(encoder.encode(sample.body));
      observer.end?.({ status, aborted: false });
      expect(context.usage, `${status} ${type} ${JSON.stringify(extra)}`).toBeUndefined();
      if (extra.maxJsonBytes !== undefined) expect(decision.tooLarge).toBe(true);
    }
  });

  it('ignores usage numbers that are not whole, non-negative and plausible', () => {
    for (const usage of [{ prompt_tokens: -1, completion_tokens: 2 }, { prompt_tokens: 1.5, completion_tokens: 2 }, { prompt_tokens: '3', completion_tokens: 2 }, { prompt_tokens: 1e12, completion_tokens: 2 }]) {
      const { context, observer } = observe(responseSamples['chatJson']!);
      observer.chunk(encoder.encode(JSON.stringify({ choices: [], usage })));
      observer.end?.({ status: 200, aborted: false });
      expect(context.usage, JSON.stringify(usage)).toBeUndefined();
    }
  });
});

describe('output checks', () => {
  it('records a schema break (flag) and cuts the stream off (block)', () => {
    for (const schema of ['flag', 'block'] as const) {
      const { decision, abort, observer } = observe(responseSamples['chatStream']!, { output: output({ schema }) });
      observer.chunk(encoder.encode('data: {"choices":[{"index":0,"delta":{"content":5}}]}\n\n'));
      observer.end?.({ status: 200, aborted: false });
      expect(decision.schema).toEqual({ valid: false, path: 'choices[0].delta.content' });
      expect(abort).toHaveBeenCalledTimes(schema === 'block' ? 1 : 0);
    }
    const { decision, observer } = observe(responseSamples['anthropicJson']!, { output: output({ schema: 'block' }) });
    observer.chunk(encoder.encode(responseSamples['anthropicJson']!.body));
    observer.end?.({ status: 200, aborted: false });
    expect(decision.schema).toEqual({ valid: true });
  });

  it('hands the detector the whole output at the end, and a block verdict aborts the context', async () => {
    const seen: string[] = [];
    const detector: OutputDetector = (input) => {
      seen.push(`${input.complete}:${input.text}`);
      return input.text.includes('wörld') ? { action: 'block', reason: 'leak' } : { action: 'pass' };
    };
    const { decision, abort, observer } = observe(responseSamples['chatStream']!, { output: output({ detector }) });
    observer.chunk(encoder.encode(responseSamples['chatStream']!.body));
    observer.end?.({ status: 200, aborted: false });
    await observer.settled();
    expect(seen).toEqual(['true:Héllo wörld 🌍']);
    expect(decision.output).toEqual({ action: 'block', reason: 'leak' });
    expect(abort).toHaveBeenCalledWith('output blocked: leak');
  });

  it('checks a stream as it goes when asked, and records a detector that fails', async () => {
    const seen: string[] = [];
    const { decision, observer } = observe(responseSamples['anthropicStream']!, {
      output: output({ everyChars: 5, detector: (input) => { seen.push(input.text); throw new Error('down'); } }),
    });
    observer.chunk(encoder.encode(responseSamples['anthropicStream']!.body));
    observer.end?.({ status: 200, aborted: false });
    await observer.settled();
    expect(seen[0]).toBe('Bonjour');
    expect(seen.at(-1)).toBe('Bonjour à tous');
    expect(decision.output).toEqual({ action: 'flag', error: 'error' });
  });

  it('keeps at most maxChars of output for the detector, estimating the rest for a cut-off stream', async () => {
    const seen: string[] = [];
    const { context, observer } = observe(responseSamples['chatStream']!, { output: output({ maxChars: 3, detector: (input) => { seen.push(input.text); return { action: 'pass' }; } }) });
    const body = responseSamples['chatStream']!.body;
    observer.chunk(encoder.encode(body.slice(0, body.indexOf('"finish_reason":"stop"'))));
    observer.end?.({ status: 200, aborted: true });
    await observer.settled();
    expect(seen).toEqual(['Hél']);
    expect(context.usage?.outputTokens).toBeGreaterThan(3);
  });
});

describe('holding a JSON answer for the output checks', () => {
  const chatJson = responseSamples['chatJson']!;
  const blockWorld: OutputDetector = (input) => (input.text.includes('world') ? { action: 'block', reason: 'world' } : { action: 'pass' });

  it('holds JSON answers only when a check can block and hold is on; never a stream, an error or an unchecked answer', () => {
    const holds = (sample: ResponseSample, settings: Partial<OutputSettings> | undefined, status = 200) => {
      const { observer } = observe(sample, { output: settings === undefined ? undefined : output(settings) });
      observer.start?.(status, sample.contentType);
      return observer.hold?.() !== undefined;
    };
    expect(holds(chatJson, { detector: blockWorld })).toBe(true);
    expect(holds(chatJson, { schema: 'block' })).toBe(true);
    expect(holds(chatJson, { schema: 'flag' })).toBe(false);
    expect(holds(chatJson, { detector: blockWorld, hold: false })).toBe(false);
    expect(holds(chatJson, undefined)).toBe(false);
    expect(holds(responseSamples['chatStream']!, { detector: blockWorld })).toBe(false);
    expect(holds(chatJson, { detector: blockWorld }, 500)).toBe(false);
  });

  it('judges the whole answer before it is sent: a block withholds it, a pass lets it go, usage is read either way', async () => {
    for (const [text, blocked] of [['hello world', true], ['hello', false]] as const) {
      const detector = vi.fn(blockWorld);
      const { context, decision, observer } = observe(chatJson, { output: output({ detector }) });
      const hold = observer.hold!()!;
      observer.chunk(encoder.encode(chatJson.body.replace(/"content":"[^"]*"/, `"content":"${text}"`)));
      const verdict = await hold.verdict(false);
      expect(verdict?.code, text).toBe(blocked ? 'TG_OUTPUT_BLOCKED' : undefined);
      expect(decision.output?.action).toBe(blocked ? 'block' : 'pass');
      expect(context.usage).toEqual(chatJson.usage);
      // The response then ends (sent or replaced): the checks are not run twice.
      observer.end?.({ status: blocked ? 502 : 200, aborted: false });
      await observer.settled();
      expect(detector).toHaveBeenCalledTimes(1);
    }
  });

  it('withholds an answer whose shape breaks under schema: block, one too large to check, and one whose detector fails under onError: block', async () => {
    // Asked for right after start, as adapters do, then fed the body.
    const held = (of: ReturnType<typeof observe>, body: string) => {
      const hold = of.observer.hold!()!;
      of.observer.chunk(encoder.encode(body));
      return hold;
    };
    const broken = observe(chatJson, { output: output({ schema: 'block' }) });
    expect((await held(broken, '{"choices":"nope"}').verdict(false))?.code).toBe('TG_OUTPUT_BLOCKED');
    expect(broken.decision.schema?.valid).toBe(false);

    const large = observe(chatJson, { output: output({ detector: blockWorld }), maxJsonBytes: 16 });
    expect((await held(large, chatJson.body).verdict(true))?.code).toBe('TG_OUTPUT_BLOCKED');
    expect(large.decision.output).toMatchObject({ action: 'block', reason: expect.stringContaining('maxResponseBytes') });

    const failing = observe(chatJson, { output: output({ onError: 'block', detector: () => { throw new Error('down'); } }) });
    expect((await held(failing, chatJson.body).verdict(false))?.code).toBe('TG_OUTPUT_BLOCKED');
    expect(failing.decision.output).toEqual({ action: 'block', error: 'error' });
  });
});
