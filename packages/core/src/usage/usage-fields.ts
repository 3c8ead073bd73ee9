// Reads token usage from a provider's JSON (a whole response or one stream event), trusting nothing in it.

/** Token counts found so far; a field is undefined until a response reports it. */
export interface UsageReading {
  inputTokens: number | undefined;
  outputTokens: number | undefined;
}

/** Larger counts than any model's context are not usage but garbage (or an attack on the ledger). */
const maxTokens = 100_000_000;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= maxTokens ? value : undefined;
}

/** The `usage` objects a response or event may carry: at the top, in `response` (Responses API), in `message` (Anthropic). */
function usageObjects(body: Json): Json[] {
  const found: Json[] = [];
  if (isObject(body['usage'])) found.push(body['usage']);
  const response = body['response'];
  if (isObject(response) && isObject(response['usage'])) found.push(response['usage']);
  const message = body['message'];
  if (isObject(message) && isObject(message['usage'])) found.push(message['usage']);
  return found;
}

/**
 * Input tokens of one `usage` object. OpenAI's `prompt_tokens`/`input_tokens` already include cached
 * tokens; Anthropic's `input_tokens` does not, so its `cache_creation_input_tokens` and
 * `cache_read_input_tokens` are added (all input the model read).
 */
function inputOf(usage: Json): number | undefined {
  const base = count(usage['prompt_tokens']) ?? count(usage['input_tokens']);
  if (base === undefined) return undefined;
  const cacheWrite = count(usage['cache_creation_input_tokens']) ?? 0;
  const cacheRead = count(usage['cache_read_input_tokens']) ?? 0;
  return Math.min(maxTokens, base + cacheWrite + cacheRead);
}

/**
 * Updates `reading` with the usage a parsed body or event reports. Later reports replace earlier
 * ones field by field: OpenAI's final chunk, Anthropic's cumulative `message_delta` after its
 * `message_start`. An embeddings response reports no output: 0. Invalid numbers are ignored.
 *
 * @example
 * const reading = { inputTokens: undefined, outputTokens: undefined };
 * readUsage(JSON.parse('{"usage":{"prompt_tokens":12,"completion_tokens":3}}'), reading);
 * reading // { inputTokens: 12, outputTokens: 3 }
 */
export function readUsage(body: unknown, reading: UsageReading): boolean {
  if (!isObject(body)) return false;
  let found = false;
  for (const usage of usageObjects(body)) {
    const input = inputOf(usage);
    const output = count(usage['completion_tokens']) ?? count(usage['output_tokens']);
    if (input !== undefined) {
      reading.inputTokens = input;
      found = true;
    }
    if (output !== undefined) {
      reading.outputTokens = output;
      found = true;
    } else if (input !== undefined && body['object'] === 'list') {
      // Embeddings: only prompt tokens are billed.
      reading.outputTokens ??= 0;
    }
  }
  return found;
}
