// The full request path the HTTP-contract scenarios drive: tenants, models, policy, limits and the inference log, all in memory.
import {
  authorize,
  inferenceLog,
  memoryAuditSink,
  memoryTenantStore,
  modelRegistry,
  rateLimit,
  rbac,
  resolveTenant,
  validateRequest,
  type GateOptions,
  type MemoryAuditSink,
  type ModelDefinition,
  type OutputDetector,
} from '@tollgate/core';

/** The tenants of the contract chains: acme and globex (active), initech (suspended), and broke (a budget of 15 cents). */
export const contractTenants = [
  { id: 'acme', status: 'active', tags: [] },
  { id: 'globex', status: 'active', tags: [] },
  { id: 'initech', status: 'suspended', tags: [] },
  { id: 'broke', status: 'active', tags: [], budget: { usd: 0.15 } },
] as const;

/**
 * The models both chains know. A chat request for `max_tokens: 100` of gpt-standard may cost about $0.11,
 * so tenant broke's budget pays for one such request and not for a second.
 */
export const contractModels: Readonly<Record<string, ModelDefinition>> = {
  'gpt-standard': { tags: ['shared'], maxOutputTokens: 1000, price: { inputPerMTok: 1000, outputPerMTok: 1000 } },
  'gpt-premium': { tags: ['shared'], maxOutputTokens: 1000, price: { inputPerMTok: 2000, outputPerMTok: 2000 } },
};

/** The rule of `/limits`: two requests a minute per key. */
export const keyRequestRule = { name: 'key-rpm', scope: 'key', unit: 'requests', limit: 2, window: '1m' } as const;

/** The rule of `/edits`: 40 output tokens a minute per key, so a request for 100 is lowered to 40. */
export const keyOutputRule = { name: 'key-output', scope: 'key', unit: 'output_tokens', limit: 40, window: '1m' } as const;

/** The output detector of `/output`: it blocks any answer that contains this word. */
export const blockedWord = 'FORBIDDEN';

const blockWord: OutputDetector = ({ text }) => (text.includes(blockedWord) ? { action: 'block', reason: 'blocked word' } : { action: 'pass' });

/** The in-memory sinks each contract chain's inference log writes to. */
export interface ContractSinks {
  readonly policy: MemoryAuditSink;
  readonly limits: MemoryAuditSink;
  readonly output: MemoryAuditSink;
}

type ChainSteps = Omit<GateOptions, 'authenticate'>;

/**
 * The steps of the `/policy` and `/limits` mounts. `POST {prefix}/echo` speaks the chat API, so an
 * allowed request reaches the app's echo handler; `GET /policy/admin/**` needs the `admin` scope.
 *
 * @example
 * const contract = contractSteps();
 * gate({ authenticate: { methods: [apiKey({ store: keyStore })] }, ...contract.policy });
 */
export function contractSteps(): { policy: ChainSteps; limits: ChainSteps; edits: ChainSteps; output: ChainSteps; sinks: ContractSinks } {
  const registry = modelRegistry(contractModels);
  const sinks: ContractSinks = { policy: memoryAuditSink(), limits: memoryAuditSink(), output: memoryAuditSink() };
  const tenants = () => memoryTenantStore(contractTenants.map((tenant) => ({ ...tenant, tags: [...tenant.tags] })));
  const validate = () => validateRequest({ models: contractModels, routes: { '/policy/echo': 'chat', '/limits/echo': 'chat' } });
  const provider = rbac({
    policy: {
      roles: { dev: { permissions: ['chat'] }, admin: { inherits: ['dev'] } },
      permissions: { chat: { actions: ['inference:*'], models: { tags: ['shared'] } } },
      forbid: { 'premium-is-for-admins': { models: { names: ['gpt-premium'] }, exceptRoles: ['admin'] } },
    },
  });
  return {
    sinks,
    policy: {
      inferenceLog: inferenceLog({ sinks: [sinks.policy] }),
      resolveTenant: resolveTenant({ store: tenants() }),
      validateRequest: validate(),
      authorize: authorize({ provider, routes: [{ path: '/policy/admin/**', action: 'admin:keys' }], scopes: [{ action: 'admin:*', scope: 'admin' }] }),
    },
    limits: {
      inferenceLog: inferenceLog({ sinks: [sinks.limits] }),
      resolveTenant: resolveTenant({ store: tenants() }),
      validateRequest: validate(),
      rateLimit: rateLimit({ rules: [keyRequestRule] }),
    },
    // Every edit a step makes to the body the handler forwards: a fallback model, a lowered max_tokens, streamed usage asked for.
    edits: {
      validateRequest: validateRequest({ models: contractModels, routes: { '/edits/echo': 'chat' } }),
      authorize: authorize({
        provider: rbac({
          policy: {
            roles: { dev: { permissions: ['chat'] } },
            permissions: { chat: { actions: ['inference:*'], models: { tags: ['shared'] } } },
            forbid: { 'premium-routes-to-standard': { models: { names: ['gpt-premium'] }, fallback: 'gpt-standard' } },
          },
        }),
        models: (name) => {
          const info = registry.resolve(name)?.info;
          return info === undefined ? undefined : { ...info, requested: name };
        },
      }),
      rateLimit: rateLimit({ rules: [keyOutputRule], lowerMaxTokens: true }),
    },
    // An output check that holds non-streamed answers back until it has judged them.
    output: {
      inferenceLog: inferenceLog({ sinks: [sinks.output] }),
      validateRequest: validateRequest({ models: contractModels, routes: { '/output/answer': 'chat' }, output: { detector: blockWord } }),
      rateLimit: rateLimit({ rules: [{ name: 'key-tokens', scope: 'key', unit: 'total_tokens', limit: 100_000, window: '1m' }] }),
    },
  };
}
