// The API schemas: real-world bodies pass, wrong ones get a 400 whose `param` is the offending path.
import { describe, expect, it } from 'vitest';
import type { InferenceApi } from './api-route.js';
import { requestChecker } from './request-schemas.js';

const loose = requestChecker('pass', []);
const strict = requestChecker('refuse', ['top_k']);

function refusal(check: typeof loose, api: InferenceApi, body: unknown): { code: string; param: string | null; message: string } {
  try {
    check(api, body);
  } catch (error) {
    return error as { code: string; param: string | null; message: string };
  }
  throw new Error('the body was accepted');
}

const good: Record<InferenceApi, unknown[]> = {
  chat: [
    { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] },
    {
      model: 'gpt-4o', n: 2, max_completion_tokens: 100, stream: true, stream_options: { include_usage: true }, temperature: null,
      messages: [
        { role: 'developer', content: [{ type: 'text', text: 'be brief' }] },
        { role: 'user', name: 'al', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'low' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'ok' },
      ],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } },
    },
  ],
  completions: [{ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hi' }, { model: 'm', prompt: [[1, 2], [3]], best_of: 3, n: 2, logprobs: 2 }],
  embeddings: [{ model: 'text-embedding-3-small', input: 'hello' }, { model: 'm', input: ['a', 'b'], encoding_format: 'base64', dimensions: 256 }],
  responses: [
    { model: 'gpt-4.1', input: 'hi' },
    {
      model: 'gpt-4.1', instructions: 'be nice', max_output_tokens: 500, stream: true,
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'look' }, { type: 'input_image', image_url: 'https://x/y.png' }] },
        { type: 'function_call_output', call_id: 'c', output: '42' },
      ],
      tools: [{ type: 'function', name: 'f', parameters: {} }, { type: 'web_search' }],
      reasoning: { effort: 'low' },
    },
  ],
  anthropic_messages: [
    { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Hello' }] },
    {
      model: 'claude-sonnet-4-5', max_tokens: 2048, system: [{ type: 'text', text: 'sys', cache_control: { type: 'ephemeral' } }],
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [
        { role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } }, { type: 'text', text: 'what?' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'get', input: { q: 1 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'r' }] }] },
      ],
      tools: [{ name: 'get', input_schema: { type: 'object' } }, { type: 'web_search_20250305', name: 'web_search' }],
    },
  ],
};

describe('request schemas', () => {
  for (const [api, bodies] of Object.entries(good) as Array<[InferenceApi, unknown[]]>) {
    it(`accept real ${api} bodies, and give back the very object sent`, () => {
      for (const body of bodies) expect(loose(api, body).body).toBe(body);
    });
  }

  it.each([
    ['chat', { messages: [{ role: 'user', content: 'x' }] }, 'model', /Missing required parameter: 'model'/],
    ['chat', { model: 'm', messages: [] }, 'messages', /Invalid 'messages'/],
    ['chat', { model: 'm', messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }, { role: 'user', content: 5 }] }, 'messages[2].content', /expected string or array/],
    ['chat', { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 3 }] }] }, 'messages[0].content[0].text', /expected string/],
    ['chat', { model: 'm', messages: [{ role: 'wizard', content: 'x' }] }, 'messages[0].role', /Invalid/],
    ['chat', { model: 'm', messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id', /Missing/],
    ['chat', { model: 'm', messages: [{ role: 'user', content: 'x' }], n: 129 }, 'n', /Invalid 'n'/],
    ['chat', { model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 1.5 }, 'max_tokens', /int/],
    ['chat', { model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 3 }, 'temperature', /<=2/],
    ['chat', { model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'bad name!' } }] }, 'tools[0].function.name', /letters, digits/],
    ['completions', { model: 'm', prompt: [1, 'a'] }, 'prompt[0]', /Invalid 'prompt\[0\]'/],
    ['embeddings', { model: 'm' }, 'input', /Missing required parameter: 'input'/],
    ['responses', { model: 'm', input: [{ role: 'user', content: 7 }] }, 'input[0].content', /Invalid/],
    ['anthropic_messages', { model: 'm', messages: [{ role: 'user', content: 'x' }] }, 'max_tokens', /Missing/],
    ['anthropic_messages', { model: 'm', max_tokens: 5, messages: [{ role: 'system', content: 'x' }] }, 'messages[0].role', /Invalid/],
    ['anthropic_messages', { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64' } }] }] }, 'messages[0].content[0].source.media_type', /Missing/],
  ] as const)('%s: %j is refused at %s', (api, body, param, message) => {
    const error = refusal(loose, api, body);
    expect(error).toMatchObject({ code: 'TG_INVALID_REQUEST', param });
    expect(error.message).toMatch(message);
  });

  it('refuses a body that is not an object, with no param', () => {
    for (const body of [null, [], 'x', 1, true]) expect(refusal(loose, 'chat', body)).toMatchObject({ code: 'TG_INVALID_REQUEST', param: null });
  });

  it('lets unknown top-level fields through by default, and refuses them when strict, except those allowed', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'x' }], frobnicate: 1 };
    expect(loose('chat', body).api).toBe('chat');
    expect(refusal(strict, 'chat', body)).toMatchObject({ code: 'TG_UNKNOWN_PARAMETER', param: 'frobnicate' });
    const { frobnicate: _unknown, ...known } = body;
    expect(strict('chat', { ...known, top_k: 40, reasoning_effort: 'low', store: true }).api).toBe('chat');
    // Nested objects always let extra fields through: providers add them.
    expect(strict('chat', { model: 'm', messages: [{ role: 'user', content: 'x', cache_hint: 1 }] }).api).toBe('chat');
  });

  it('never echoes the value sent in its message', () => {
    const secret = 'sk-live-should-not-be-echoed';
    for (const body of [{ model: 'm', messages: [{ role: secret, content: 'x' }] }, { model: 'm', messages: [{ role: 'user', content: 'x' }], n: secret }]) {
      expect(refusal(loose, 'chat', body).message).not.toContain(secret);
    }
  });
});
