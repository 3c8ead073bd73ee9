// Reads a response as it passes: output pieces of an SSE stream (for cut-off) and any `usage` it reports.
import type { ResponseObserver } from '../pipeline/step.js';
import { shareParsedEvents, type ParsedEvents } from '../usage/parsed-events.js';
import { joinBytes } from '../request/tg-request.js';
import { SseReader } from '../usage/sse-reader.js';

/** What the meter saw. */
export interface MeterReading {
  /** True when the response was an event stream. */
  readonly stream: boolean;
  /** Non-empty output pieces streamed (content, text, tool-call arguments, reasoning), over all choices. */
  readonly pieces: number;
  /** Characters of those pieces, for an estimate of tokens (about four characters per token). */
  readonly characters: number;
  /** Input tokens the response reported (OpenAI `usage`, Responses API or Anthropic shapes), if any. */
  readonly inputTokens: number | undefined;
  /** Output tokens the response reported, if any. */
  readonly outputTokens: number | undefined;
}

/** Largest JSON body kept to read its `usage`, and largest stream event read; larger ones are not parsed. */
const maxJsonBytes = 4 * 1024 * 1024;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined);

/**
 * A response observer that counts streamed output and reads reported usage. `onPiece` runs after
 * each output piece with the running total, so a caller can cut the stream off.
 *
 * This is the smallest reader rateLimit needs; it understands OpenAI chat/completions chunks, the
 * Responses API's `response.output_text.delta`/`response.completed` and Anthropic's message events.
 * Given the request's `context`, an event stream's events that validateRequest's usage observer
 * (which sees each chunk first) already parsed are taken from it rather than parsed again
 * (`ParsedEvents`: only for the same `data` text, so the meter counts exactly what it would alone).
 *
 * @example
 * const meter = responseMeter((pieces) => { if (pieces > reserved) cutOff(); }, context);
 */
export function responseMeter(onPiece: (pieces: number) => void, context?: object): ResponseObserver & { reading(): MeterReading } {
  let mode: 'sse' | 'json' | 'ignore' = 'ignore';
  let pieces = 0;
  let characters = 0;
  let input: number | undefined;
  let output: number | undefined;
  let jsonParts: Uint8Array[] = [];
  let jsonBytes = 0;
  // Made only for event streams: core's one event-stream parser (any line ends, bounded memory).
  let reader: SseReader | undefined;
  let shared: ParsedEvents | undefined;

  const readUsage = (holder: unknown): void => {
    if (!isObject(holder) || !isObject(holder['usage'])) return;
    const usage = holder['usage'];
    input = count(usage['prompt_tokens']) ?? count(usage['input_tokens']) ?? input;
    output = count(usage['completion_tokens']) ?? count(usage['output_tokens']) ?? output;
  };
  const piece = (text: unknown): void => {
    if (typeof text !== 'string' || text === '') return;
    pieces += 1;
    characters += text.length;
    onPiece(pieces);
  };
  const event = (data: string): void => {
    if (data === '[DONE]') return;
    let parsed: unknown;
    const taken = shared?.take(data);
    if (taken !== undefined) parsed = taken.value;
    else {
      try {
        parsed = JSON.parse(data);
      } catch {
        return;
      }
    }
    if (!isObject(parsed)) return;
    readUsage(parsed);
    readUsage(parsed['response']);
    readUsage(parsed['message']);
    if (Array.isArray(parsed['choices'])) {
      for (const choice of parsed['choices']) {
        if (!isObject(choice)) continue;
        piece(choice['text']);
        const delta = choice['delta'];
        if (!isObject(delta)) continue;
        piece(delta['content']);
        piece(delta['reasoning_content']);
        if (Array.isArray(delta['tool_calls'])) for (const call of delta['tool_calls']) if (isObject(call) && isObject(call['function'])) piece(call['function']['arguments']);
      }
    }
    if (parsed['type'] === 'response.output_text.delta') piece(parsed['delta']);
    if (parsed['type'] === 'content_block_delta' && isObject(parsed['delta'])) piece(parsed['delta']['text'] ?? parsed['delta']['partial_json']);
  };
  return {
    start(status, contentType) {
      const type = (contentType ?? '').toLowerCase();
      if (type.startsWith('text/event-stream')) {
        mode = 'sse';
        if (context !== undefined) shared = shareParsedEvents(context);
        // An event larger than a JSON body the meter would read is dropped whole, as a line that never
        // ends is: a broken or hostile stream costs bounded memory.
        reader = new SseReader(({ data }) => event(data), maxJsonBytes);
      } else if (status >= 200 && status < 300 && /^application\/(?:[a-z0-9.+-]+\+)?json/.test(type)) mode = 'json';
    },
    chunk(bytes) {
      if (mode === 'sse') reader?.push(bytes);
      else if (mode === 'json') {
        jsonBytes += bytes.byteLength;
        if (jsonBytes > maxJsonBytes) {
          mode = 'ignore';
          jsonParts = [];
        } else jsonParts.push(new Uint8Array(bytes));
      }
    },
    end() {
      if (mode === 'sse') reader?.end();
    },
    reading() {
      // A JSON answer is parsed only when its usage is asked for: usually another step (validateRequest)
      // has already reported it, and then the settlement never reads this one.
      if (mode === 'json' && jsonParts.length > 0) {
        try {
          readUsage(JSON.parse(new TextDecoder().decode(joinBytes(jsonParts, jsonBytes))));
        } catch {
          // Not JSON after all: no usage to read.
        }
        jsonParts = [];
      }
      return { stream: mode === 'sse', pieces, characters, inputTokens: input, outputTokens: output };
    },
  };
}
