// Test stand-in for validateRequest in the rate-limit suites: sets context.model and context.inference from a chat body.
import { TollgateError, type ModelInfo, type Step } from '@tollgate/core';

/** A model the stub upstream serves, with a price and caps. */
export const fixtureModels: Readonly<Record<string, ModelInfo>> = {
  'gpt-4o-mini': { name: 'gpt-4o-mini', requested: 'gpt-4o-mini', tags: [], contextWindow: 128_000, maxOutputTokens: 16_384, price: { inputPerMTok: 10, outputPerMTok: 30 } },
};

/** Prompt tokens by the stub upstream's own rule (ceil(length / 4) + 3 per message), so usage matches. */
export function stubPromptTokens(messages: ReadonlyArray<{ content?: unknown }>): number {
  return messages.reduce((sum, m) => sum + Math.ceil((typeof m.content === 'string' ? m.content : '').length / 4) + 3, 0);
}

/**
 * A step named `validateRequest` that reads a chat body (model, messages, max_tokens, n, stream) the way
 * the real step will, so the rate-limit tests do not depend on its progress. Unknown models are a 400.
 *
 * @example
 * gate({ authenticate, validateRequest: chatBodyFixture(), rateLimit: limits });
 */
export function chatBodyFixture(models: Readonly<Record<string, ModelInfo>> = fixtureModels): Step {
  return {
    name: 'validateRequest',
    requires: [],
    async run(context) {
      const body = (await context.request.json()) as { model?: string; messages?: Array<{ content?: unknown }>; max_tokens?: number; n?: number; stream?: boolean };
      const model = models[body.model ?? ''];
      if (model === undefined) throw new TollgateError('TG_INTERNAL', { message: `fixture: unknown model ${String(body.model)}` });
      context.model = model;
      context.inference = {
        api: 'chat',
        stream: body.stream === true,
        maxTokens: body.max_tokens,
        n: body.n ?? 1,
        toolCount: 0,
        messageCount: body.messages?.length ?? 0,
        promptTokens: stubPromptTokens(body.messages ?? []),
      };
    },
  };
}
