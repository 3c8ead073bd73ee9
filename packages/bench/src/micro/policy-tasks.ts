// Microbenchmarks of policy decisions: RBAC and Cedar on the same question.
import { authorizationRequest, cedar, rbac, tollgateCedarSchema, type InferenceInfo, type Principal } from '@tollgate/core';
import { benchRoles, benchTenant } from '../app-process/chains/bench-identity.js';
import { benchCedarPolicies, benchModelInfo, benchRbacPolicy } from '../app-process/chains/bench-policy.js';
import type { MicroGroup, MicroTask } from './micro-task.js';

const principal: Principal = { subject: 'bench-user', kind: 'user', method: 'api_key', keyId: 'bench', tenantId: benchTenant.id, roles: [...benchRoles], scopes: [], claims: { env: 'live' } };
const inference: InferenceInfo = { api: 'chat', stream: false, maxTokens: 32, n: 1, toolCount: 0, messageCount: 2, promptTokens: 24 };

/**
 * One allow decision for `inference:chat` on gpt-4o-mini by a developer of tenant acme, by the RBAC
 * provider and by the Cedar provider (policies preparsed, schema-validated): answered by Cedar's
 * decision cache, and evaluated by the engine.
 *
 * @example
 * const group = await policyTasks();
 */
export async function policyTasks(): Promise<MicroGroup> {
  const question = authorizationRequest({ principal, tenant: benchTenant, action: 'inference:chat', model: benchModelInfo, inference, path: '/v1/chat/completions' });
  const roles = rbac({ policy: benchRbacPolicy });
  const decide = (decision: { allow: boolean }, by: string) => {
    if (!decision.allow) throw new Error(`${by} denied the bench request; the microbenchmark would time a denial`);
  };
  decide(await roles.decide(question), 'rbac');
  const tasks: MicroTask[] = [{ name: 'RBAC: decide (allow)', run: () => roles.decide(question) }];
  const skipped: string[] = [];
  try {
    const policies = await cedar({ policies: benchCedarPolicies, schema: tollgateCedarSchema() });
    const evaluating = await cedar({ policies: benchCedarPolicies, schema: tollgateCedarSchema(), cache: false });
    decide(await policies.decide(question), 'cedar');
    decide(await evaluating.decide(question), 'cedar');
    // The same question again: the decision cache answers (the usual case for a steady caller).
    tasks.push({ name: 'Cedar: decide (allow), decision cache hit', run: () => policies.decide(question) });
    tasks.push({ name: 'Cedar: decide (allow), evaluated (cache: false)', run: () => evaluating.decide(question) });
  } catch (error) {
    // Cedar's engine is an optional peer dependency; without it only RBAC is measured.
    skipped.push(`Cedar: decide (${(error as Error).message.split('\n')[0]})`);
  }
  return { tasks, skipped, close: () => roles.close() };
}
