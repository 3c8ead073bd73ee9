// explain(): why a request is allowed or denied, as data and as text (for operators, tests and the CLI).
import { authorizationRequest, type AuthorizationRequestParts } from './authorization-request.js';
import { checkedDecision } from './decision-checks.js';
import type { AuthorizationRequest, Explanation, PolicyDecision, PolicyProvider } from './policy-provider.js';

/** What {@link explain} returns. */
export interface ExplainResult extends Explanation {
  readonly provider: string;
  readonly request: AuthorizationRequest;
  /** The same as a few lines of text. */
  readonly text: string;
}

function isRequest(value: AuthorizationRequest | AuthorizationRequestParts): value is AuthorizationRequest {
  return 'resource' in value && 'context' in value && Array.isArray((value as AuthorizationRequest).missing);
}

function describeRequest(request: AuthorizationRequest): string {
  const { principal, tenant, resource } = request;
  const who = `${principal.subject} (${principal.kind}; roles: ${principal.roles.join(', ') || 'none'}; scopes: ${principal.scopes.join(', ') || 'none'})`;
  const where = tenant === undefined ? 'no tenant' : `tenant ${tenant.id} (${tenant.status}${tenant.tier === undefined ? '' : `, tier ${tenant.tier}`})`;
  const what = resource.type === 'model' ? `model ${resource.id} (tags: ${resource.model.tags.join(', ') || 'none'})` : `${resource.method} ${resource.id}`;
  const facts = request.context.inference;
  const asks = facts === undefined ? '' : `; stream=${facts.stream} tools=${facts.tools} max_tokens=${facts.maxTokens ?? 'unbounded'} n=${facts.n}`;
  return `${request.action} by ${who} for ${where} on ${what}${asks}`;
}

function describeDecision(decision: PolicyDecision, provider: string): string[] {
  const lines = [`=> ${decision.allow ? 'ALLOW' : 'DENY'} by rule "${decision.rule}" (${provider})${decision.reason === undefined ? '' : `: ${decision.reason}`}`];
  if (decision.missing !== undefined && decision.missing.length > 0) lines.push(`   cannot be decided without: ${decision.missing.join(', ')} (a step is missing from the chain)`);
  for (const o of decision.obligations ?? []) lines.push(`   obligation: route to fallback model ${o.model} if the policy allows it`);
  if (decision.conceal === true) lines.push('   the client is told the model does not exist');
  if (decision.requiredScope !== undefined) lines.push(`   missing scope: ${decision.requiredScope}`);
  return lines;
}

/**
 * Answers "why was this allowed or denied": the provider's decision, the rules it considered and why
 * each applied or not (for providers that can say; RBAC and Cedar can), and a text rendering. Takes a
 * full request or its parts (principal, tenant, action, model, inference), so an operator can replay
 * a logged request.
 *
 * @example
 * const why = await explain(rbac({ file: './policy.yaml' }), { principal, tenant, action: 'inference:chat', model });
 * console.log(why.text);
 */
export async function explain(provider: PolicyProvider, input: AuthorizationRequest | AuthorizationRequestParts): Promise<ExplainResult> {
  const request = isRequest(input) ? input : authorizationRequest(input);
  const explanation: Explanation =
    provider.explain === undefined ? { decision: await provider.decide(request), steps: [] } : await provider.explain(request);
  const decision = checkedDecision(explanation.decision, provider.name);
  const lines = [describeRequest(request), ...describeDecision(decision, provider.name)];
  if (explanation.steps.length > 0) {
    lines.push('rules considered:');
    for (const step of explanation.steps) {
      const mark = step.effect === 'info' ? '-' : step.applies ? '+' : ' ';
      lines.push(`  ${mark} ${step.effect === 'info' ? '' : `${step.effect} `}${step.rule}: ${step.why}`);
    }
  }
  return { provider: provider.name, request, decision, steps: explanation.steps, text: lines.join('\n') };
}
