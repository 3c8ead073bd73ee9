// The one request every configuration is driven with: an OpenAI chat completion, whole or streamed.

/** The model the request names (served by the stub upstream, priced in the bench model registry). */
export const benchModel = 'gpt-4o-mini';

/** The route every app serves. */
export const benchPath = '/v1/chat/completions';

/**
 * The chat completion body: a system and a user message and a small `max_tokens`, so token
 * estimation, reservation and settlement all have work to do.
 *
 * @example
 * JSON.stringify(chatRequestBody(true)) // '{"model":"gpt-4o-mini",…,"stream":true}'
 */
export function chatRequestBody(stream: boolean): Record<string, unknown> {
  return {
    model: benchModel,
    messages: [
      { role: 'system', content: 'You answer in one short sentence.' },
      { role: 'user', content: 'Say hello to the benchmark harness, please.' },
    ],
    max_tokens: 32,
    ...(stream ? { stream: true } : {}),
  };
}
