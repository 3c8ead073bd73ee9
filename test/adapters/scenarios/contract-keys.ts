// Keys the HTTP-contract scenarios mint at run time, and the chat requests they send.
import { createApiKey } from '@tollgate/core';
import { rememberSecret } from '../../support/secret-ledger.js';
import type { ScenarioTarget } from '../scenario.js';

/** A key stored in the fixture's key store, and its key id. */
export interface MintedKey {
  readonly key: string;
  readonly keyId: string;
}

/**
 * Creates and stores a key of its own for one scenario, so no other scenario's counters touch it.
 *
 * @example
 * const { key } = await mintKey(target, { tenantId: 'acme', roles: ['dev'] });
 */
export async function mintKey(target: ScenarioTarget, who: { tenantId: string; roles?: string[]; scopes?: string[] }): Promise<MintedKey> {
  const created = await createApiKey({ subject: `user-${target.nextId()}`, ...who, hash: { memoryCost: 1024, timeCost: 1 } });
  await target.fixture.store.put(created.record);
  rememberSecret(created.key);
  return { key: created.key, keyId: created.record.id };
}

/** A chat request for a model, as a client of the OpenAI API sends it. */
export function chat(model: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello' }], max_tokens: 100, ...extra });
}

/** Headers for a JSON POST with a bearer key and a request id. */
export function jsonHeaders(key: string, requestId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${key}`, 'x-request-id': requestId, 'content-type': 'application/json', ...extra };
}

/** The `error` object of an OpenAI-style error body. */
export async function errorOf(response: Response): Promise<Record<string, unknown>> {
  return ((await response.json()) as { error: Record<string, unknown> }).error;
}
