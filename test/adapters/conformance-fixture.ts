// What every app under test is built from: the chains it mounts, the keys, and the recorder that watches core.
import { apiKey, createApiKey, formatApiKey, gate, memoryKeyStore, parseApiKey, type Gate, type KeyStore, type Step, type WritableKeyStore } from '@tollgate/core';
import { contractSteps, type ContractSinks } from './contract-chain.js';
import { rememberSecret } from '../support/secret-ledger.js';
import { createRecorder, type Recorder } from './recorder.js';

const fastHash = { memoryCost: 1024, timeCost: 1 };

/** The largest body the `/body` chain reads. */
export const bodyLimit = 4096;

/** The usage every app's `/answer` route reports. */
export const answerUsage = { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 } as const;

/** The header every app's `/answer` route sets, to show a passed answer keeps the handler's headers. */
export const answerHeader = 'x-answer-source';

/**
 * What every app's `POST {prefix}/answer` route sends: a chat completion whose answer is the content
 * of the request's first message (so a scenario decides what the output check sees).
 */
export function answerFor(body: unknown): object {
  const messages = (body as { messages?: Array<{ content?: unknown }> } | null)?.messages;
  const content = typeof messages?.[0]?.content === 'string' ? messages[0].content : '';
  return {
    id: 'chatcmpl-conformance',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'gpt-standard',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: answerUsage,
  };
}

/** The events every app's `/stream` route writes, one write each, in this order. */
export const sseEvents = ['data: {"n":1}\n\n', 'data: {"n":2}\n\n', 'data: [DONE]\n\n'] as const;

/**
 * Each prefix an app must guard with its chain, serving the standard routes under it (see app-factory.ts).
 * A capability that needs its own chain (tenants, limits, the inference record) adds a prefix here;
 * every adapter's app mounts it without changes.
 */
export interface ConformanceMounts {
  /** authenticate (API keys) with the recorder: the everyday chain. */
  readonly '/v1': Gate;
  /** The same plus a step that reads the JSON body, limited to {@link bodyLimit} bytes. */
  readonly '/body': Gate;
  /** Errors rendered as RFC 9457 problem+json. */
  readonly '/problem': Gate;
  /** A key store that is down. */
  readonly '/down': Gate;
  /** The whole request path (see contract-chain.ts): inference log, tenants, validation, RBAC with scopes. */
  readonly '/policy': Gate;
  /** The same without authorize, plus rate limits and tenant budgets. */
  readonly '/limits': Gate;
  /** Steps that edit the body the handler forwards: a policy's fallback model, a lowered max_tokens, streamed usage asked for. */
  readonly '/edits': Gate;
  /** An output check that holds non-streamed answers back (see contract-chain.ts), with rate limits and the inference log. */
  readonly '/output': Gate;
}

export interface ConformanceKeys {
  /** alice of tenant acme. */
  readonly good: string;
  /** bob: a second valid key, for "two credentials" cases. */
  readonly other: string;
  readonly expired: string;
  readonly revoked: string;
  /** The good key with an unknown key id, and with a wrong secret. */
  readonly unknownId: string;
  readonly wrongSecret: string;
}

export interface ConformanceFixture {
  readonly mounts: ConformanceMounts;
  readonly keys: ConformanceKeys;
  readonly recorder: Recorder;
  readonly store: WritableKeyStore;
  /** The inference records the `/policy` and `/limits` chains wrote. */
  readonly sinks: ContractSinks;
  close(): Promise<void>;
}

const unavailableStore: KeyStore = {
  get: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')),
};

/** A step that reads the body, as validateRequest does. */
const readsBody: Step = { name: 'readsBody', requires: ['authenticate'], run: async (context) => void (await context.request.json()) };

/**
 * Builds a fresh fixture (stores, keys, chains) for one app.
 *
 * @example
 * const fixture = await createFixture();
 * const app = await factory.start(fixture);
 */
export async function createFixture(): Promise<ConformanceFixture> {
  const store = memoryKeyStore();
  const created = await Promise.all([
    createApiKey({ subject: 'alice', tenantId: 'acme', roles: ['dev'], hash: fastHash }),
    createApiKey({ subject: 'bob', tenantId: 'acme', hash: fastHash }),
    createApiKey({ subject: 'old', hash: fastHash, expiresAt: new Date(Date.now() - 1000) }),
    createApiKey({ subject: 'gone', hash: fastHash }),
  ]);
  const [good, other, expired, revoked] = created;
  await store.put(good.record);
  await store.put(other.record);
  await store.put(expired.record);
  await store.put({ ...revoked.record, revokedAt: new Date().toISOString() });
  const parts = parseApiKey(good.key)!;
  const keys: ConformanceKeys = {
    good: good.key,
    other: other.key,
    expired: expired.key,
    revoked: revoked.key,
    unknownId: formatApiKey({ ...parts, keyId: 'NoSuchKeyId0' }),
    wrongSecret: formatApiKey({ ...parts, secret: 'x'.repeat(43) }),
  };
  for (const key of Object.values(keys)) rememberSecret(key);

  const recorder = createRecorder();
  const authenticate = (keyStore: KeyStore = store) => ({ methods: [apiKey({ store: keyStore })] });
  const contract = contractSteps();
  const mounts: ConformanceMounts = {
    '/v1': gate({ authenticate: authenticate(), inferenceLog: recorder.step }),
    '/body': gate({ authenticate: authenticate(), inferenceLog: recorder.step, steps: [readsBody], body: { maxBytes: bodyLimit } }),
    '/problem': gate({ authenticate: authenticate(), inferenceLog: recorder.step, errors: { format: 'problem' } }),
    '/down': gate({ authenticate: authenticate(unavailableStore), inferenceLog: recorder.step }),
    '/policy': gate({ authenticate: authenticate(), ...contract.policy }),
    '/limits': gate({ authenticate: authenticate(), ...contract.limits }),
    '/edits': gate({ authenticate: authenticate(), inferenceLog: recorder.step, ...contract.edits }),
    '/output': gate({ authenticate: authenticate(), ...contract.output }),
  };
  return {
    mounts,
    keys,
    recorder,
    store,
    sinks: contract.sinks,
    async close() {
      await Promise.all(Object.values(mounts).map((mount: Gate) => mount.close()));
    },
  };
}
