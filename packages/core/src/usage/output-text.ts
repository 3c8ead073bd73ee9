// Pulls the model's output text out of a whole response or a stream event, for output checks and token estimates.

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function pushText(value: unknown, out: string[]): void {
  if (typeof value === 'string' && value !== '') out.push(value);
}

function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/** A chat `message` or `delta`: content (text or parts), refusal, reasoning, tool-call arguments. */
function messageTexts(message: unknown, out: string[]): void {
  if (!isObject(message)) return;
  const content = message['content'];
  if (typeof content === 'string') pushText(content, out);
  else for (const part of list(content)) if (isObject(part)) pushText(part['text'] ?? part['refusal'], out);
  pushText(message['refusal'], out);
  pushText(message['reasoning_content'], out);
  for (const call of list(message['tool_calls'])) if (isObject(call) && isObject(call['function'])) pushText(call['function']['arguments'], out);
  if (isObject(message['function_call'])) pushText(message['function_call']['arguments'], out);
}

/** Texts of a whole (non-streamed) response of any supported API. */
function wholeTexts(body: Json, out: string[]): void {
  for (const choice of list(body['choices'])) {
    if (!isObject(choice)) continue;
    pushText(choice['text'], out);
    messageTexts(choice['message'], out);
  }
  // Responses API: output items with content parts, or function calls.
  for (const item of list(body['output'])) {
    if (!isObject(item)) continue;
    for (const part of list(item['content'])) if (isObject(part)) pushText(part['text'] ?? part['refusal'], out);
    pushText(item['arguments'], out);
  }
  // Anthropic: content blocks.
  if (body['type'] === 'message') {
    for (const block of list(body['content'])) {
      if (!isObject(block)) continue;
      pushText(block['text'] ?? block['thinking'], out);
      if (block['type'] === 'tool_use') pushText(jsonText(block['input']), out);
    }
  }
}

/** Texts of one stream event of any supported API. */
function eventTexts(event: Json, out: string[]): void {
  for (const choice of list(event['choices'])) {
    if (!isObject(choice)) continue;
    pushText(choice['text'], out);
    messageTexts(choice['delta'], out);
  }
  const type = event['type'];
  if (type === 'response.output_text.delta' || type === 'response.function_call_arguments.delta' || type === 'response.refusal.delta') pushText(event['delta'], out);
  if (type === 'content_block_delta' && isObject(event['delta'])) {
    const delta = event['delta'];
    pushText(delta['text'] ?? delta['partial_json'] ?? delta['thinking'], out);
  }
}

/**
 * The output texts in a parsed response (`stream: false`) or stream event (`stream: true`), in order.
 *
 * @example
 * outputTexts({ choices: [{ delta: { content: 'Hel' } }] }, true) // ['Hel']
 */
export function outputTexts(body: unknown, stream: boolean): string[] {
  const out: string[] = [];
  if (!isObject(body)) return out;
  if (stream) eventTexts(body, out);
  else wholeTexts(body, out);
  return out;
}
