// What the full chains enforce: the RBAC policy (and its Cedar twin for the microbenchmarks) and the limits.
import type { LimitRule, ModelInfo, RbacPolicy } from '@tollgate/core';
import { benchModel } from '../../bench-request.js';

/** `developer` may chat with and embed on gpt-4o models, with small outputs; nobody may stream more than 4 choices. */
export const benchRbacPolicy: RbacPolicy = {
  roles: { developer: { permissions: ['chat'] }, qa: { inherits: ['developer'] } },
  permissions: {
    chat: { actions: ['inference:chat', 'inference:embeddings'], models: { names: ['gpt-4o*'] }, constraints: { maxTokens: 4_096, n: 4 } },
  },
  forbid: {
    'no-staging': { models: { tags: ['env:staging'] }, exceptRoles: ['qa'], message: 'Staging models are for QA.' },
  },
};

/** The same rules in Cedar, for the Cedar decision microbenchmark. */
export const benchCedarPolicies = `
@id("chat")
permit (principal in Tollgate::Role::"developer", action in [Tollgate::Action::"inference:chat", Tollgate::Action::"inference:embeddings"], resource is Tollgate::Model)
when { resource.name like "gpt-4o*" };

@id("no-staging") @message("Staging models are for QA.")
forbid (principal, action, resource is Tollgate::Model)
when { resource.tags.contains("env:staging") } unless { principal in Tollgate::Role::"qa" };
`;

/** The bench model as the model registry describes it. */
export const benchModelInfo: ModelInfo = {
  name: benchModel,
  requested: benchModel,
  provider: 'openai',
  tags: ['shared'],
  contextWindow: 128_000,
  maxOutputTokens: 16_384,
  price: { inputPerMTok: 0.15, outputPerMTok: 0.6 },
};

/** Limits high enough never to refuse during a run: every request is still checked, reserved and settled. */
const never = 1_000_000_000_000;

/** The full chain's limits: requests per user and tokens per tenant. */
export const requestAndTokenRules: readonly LimitRule[] = [
  { name: 'user-rpm', scope: 'user', unit: 'requests', limit: never, window: '1m' },
  { name: 'tenant-tpm', scope: 'tenant', unit: 'total_tokens', limit: never, window: '1m' },
];

/** More limits over more scopes, for the Redis chain: still one store round trip to reserve them all. */
export const manyRules: readonly LimitRule[] = [
  ...requestAndTokenRules,
  { name: 'user-concurrent', scope: 'user', unit: 'concurrent', limit: 1_000_000 },
  { name: 'tenant-model-tph', scope: ['tenant', 'model'], unit: 'output_tokens', limit: never, window: '1h' },
  { name: 'global-rps', scope: 'global', unit: 'requests', limit: never, window: '1s' },
];
