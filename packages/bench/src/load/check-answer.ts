// Before an app is measured: one real request, whose answer must be the model's, whole or streamed.
import type { LoadTarget } from './drive-load.js';

function snippet(text: string): string {
  return JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text);
}

/**
 * Sends one request and checks the answer is a 2xx chat completion (or an SSE stream ending in
 * `[DONE]`); resolves undefined when it is, or a message saying what came back instead.
 *
 * @example
 * const wrong = await checkAnswer(target, false);
 * if (wrong !== undefined) throw new Error(wrong);
 */
export async function checkAnswer(target: LoadTarget, stream: boolean): Promise<string | undefined> {
  let response: Response;
  try {
    response = await fetch(new URL(target.path, target.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...target.headers },
      body: target.body,
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    return `the first request failed: ${(error as Error).message}`;
  }
  const text = await response.text();
  if (response.status < 200 || response.status > 299) return `the first request got ${response.status}: ${snippet(text)}`;
  if (stream) {
    return text.includes('chat.completion.chunk') && text.trimEnd().endsWith('data: [DONE]') ? undefined : `the first request's stream is not a complete chat completion stream: ${snippet(text)}`;
  }
  try {
    const body = JSON.parse(text) as { object?: unknown; choices?: Array<{ message?: { content?: unknown } }> };
    if (body.object === 'chat.completion' && typeof body.choices?.[0]?.message?.content === 'string') return undefined;
  } catch {
    // Reported below with the text itself.
  }
  return `the first request's answer is not a chat completion: ${snippet(text)}`;
}
