// The full chains' validateRequest: the bench model in the registry, every default check on.
import { modelRegistry, validateRequest, type ClosableStep } from '@tollgate/core';
import { benchModelInfo } from './bench-policy.js';

/**
 * validateRequest with a registry holding the bench model (context window, output cap, prices,
 * tags), so each request is parsed, schema-checked, its model resolved and its prompt tokens counted.
 *
 * @example
 * gate({ authenticate, validateRequest: benchValidation() });
 */
export function benchValidation(): ClosableStep {
  const { name, provider, contextWindow, maxOutputTokens, price, tags } = benchModelInfo;
  return validateRequest({
    models: modelRegistry({ [name]: { provider, contextWindow, maxOutputTokens, price, tags, capabilities: { streaming: true, tools: true, vision: true } } }),
  });
}
