// Test support for the rate-limit unit tests: request contexts as authenticate/validateRequest would leave them.
import type { InferenceInfo, ModelInfo, Principal, Tenant } from '../context/principal.js';
import { createContext, type ContextHandle, type TgContext } from '../context/tg-context.js';
import { isTollgateError, type TollgateError } from '../errors/tollgate-error.js';
import { createRequest } from '../request/tg-request.js';
import type { Step } from '../pipeline/step.js';

/** A priced model with caps, as a model registry would describe it. */
export const pricedModel: ModelInfo = {
  name: 'gpt-4o-mini',
  requested: 'gpt-4o-mini',
  tags: [],
  contextWindow: 128_000,
  maxOutputTokens: 16_384,
  price: { inputPerMTok: 0.15, outputPerMTok: 0.6 },
};

/** What a context for one test request carries. */
export interface ContextSetup {
  readonly keyId?: string;
  readonly subject?: string;
  readonly tenant?: Tenant;
  readonly ip?: string;
  readonly model?: ModelInfo;
  readonly inference?: Partial<InferenceInfo>;
  readonly body?: Record<string, unknown>;
}

/**
 * A context after authenticate (a key-authenticated principal) and, when `inference` or `model` is
 * given, after validateRequest (chat, not streamed, 100 prompt tokens unless overridden).
 *
 * @example
 * const context = limitedContext({ keyId: 'k1', inference: { maxTokens: 50 } });
 */
export function limitedHandle(setup: ContextSetup = {}): ContextHandle {
  const body = setup.body ?? { model: 'gpt-4o-mini', messages: [] };
  const request = createRequest({ method: 'POST', path: '/v1/chat/completions', headerValues: () => [], remoteAddress: setup.ip, body: () => ({ kind: 'parsed', value: body }) });
  const handle = createContext({ requestId: `req_${Math.random().toString(36).slice(2)}`, request, clientIp: setup.ip ?? '203.0.113.7', requestIdHeader: 'x-request-id' });
  const principal: Principal = { subject: setup.subject ?? 'alice', kind: 'user', method: 'api_key', keyId: setup.keyId ?? 'key1', roles: [], scopes: [], claims: {}, ...(setup.tenant === undefined ? {} : { tenantId: setup.tenant.id }) };
  handle.context.principal = principal;
  handle.context.tenant = setup.tenant;
  for (const step of ['authenticate', ...(setup.tenant === undefined ? [] : ['resolveTenant'])]) handle.complete(step);
  if (setup.inference !== undefined || setup.model !== undefined) {
    handle.context.model = setup.model ?? pricedModel;
    handle.context.inference = { api: 'chat', stream: false, maxTokens: undefined, n: 1, toolCount: 0, messageCount: 1, promptTokens: 100, ...setup.inference };
    handle.complete('validateRequest');
  }
  return handle;
}

/** {@link limitedHandle}'s context. */
export function limitedContext(setup: ContextSetup = {}): TgContext {
  return limitedHandle(setup).context;
}

/** Runs a step and resolves the TollgateError it refused with, or undefined when it let the request through. */
export async function refusalOf(step: Step, context: TgContext): Promise<TollgateError | undefined> {
  try {
    await step.run(context);
    return undefined;
  } catch (error) {
    if (isTollgateError(error)) {
      context.decisions.refusal = { step: step.name, code: error.code, status: error.status };
      return error;
    }
    throw error;
  }
}
