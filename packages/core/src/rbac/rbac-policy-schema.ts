// The RBAC policy document (YAML, JSON or an object): roles, permissions, forbid rules; strict, validated with zod.
import { z } from 'zod';
import { wholeNumberField } from '../config/config-fields.js';

const pattern = z.string().min(1, { error: 'must not be empty' });
const patterns = z.array(pattern).min(1, { error: 'must list at least one name or pattern' });

/** Models by name pattern and/or by tag pattern; a model matches when any one of them does. */
const modelMatchSchema = z
  .strictObject({
    /** Model names; `*` is a wildcard (`gpt-4o*`). `{tenant}` stands for the request's tenant id. */
    names: patterns.optional(),
    /** Model tags (`customer:{tenant}`, `env:staging`, `shared`). */
    tags: patterns.optional(),
  })
  .refine((value) => value.names !== undefined || value.tags !== undefined, { error: 'needs names or tags' });

/** Tenants by id, tier or tag; a tenant matches when any one of them does. */
const tenantMatchSchema = z
  .strictObject({
    ids: patterns.optional(),
    tiers: patterns.optional(),
    tags: patterns.optional(),
  })
  .refine((value) => value.ids !== undefined || value.tiers !== undefined || value.tags !== undefined, { error: 'needs ids, tiers or tags' });

/** Limits on what an allowed inference request may ask for. */
const constraintsSchema = z.strictObject({
  /** Whether streaming is allowed. @default true */
  stream: z.boolean().optional(),
  /** Whether tools (function calling) are allowed. @default true */
  tools: z.boolean().optional(),
  /** Largest output cap (the request's `max_tokens`, or the model's own cap when the request gives none). */
  maxTokens: wholeNumberField(1, Number.MAX_SAFE_INTEGER).optional(),
  /** Most choices (`n`). */
  n: wholeNumberField(1, 128).optional(),
});

/** A permission: what a role may do. */
export const rbacPermissionSchema = z.strictObject({
  /** Actions (`inference:chat`, `inference:*`, `admin:keys`); each must name at least one known action. */
  actions: patterns,
  /** Models this permission covers; absent means every model. Only model actions match a permission that has it. */
  models: modelMatchSchema.optional(),
  /** Credential environments (`live`, `test`) it applies to; absent means every environment. */
  environments: patterns.optional(),
  /** Tenants it applies to; absent means every tenant. */
  tenants: tenantMatchSchema.optional(),
  constraints: constraintsSchema.optional(),
});

/** A forbid rule: wins over every permission. */
export const rbacForbidSchema = z.strictObject({
  /** Actions it forbids; absent means every action. */
  actions: patterns.optional(),
  models: modelMatchSchema.optional(),
  environments: patterns.optional(),
  tenants: tenantMatchSchema.optional(),
  /** Roles it applies to (a role that inherits one counts); absent means every caller. */
  roles: z.array(pattern).min(1, { error: 'must list at least one role' }).optional(),
  /** Roles it does not apply to (a role that inherits one counts). */
  exceptRoles: z.array(pattern).optional(),
  /** Models it does not apply to (e.g. the tenant's own: `tags: ['customer:{tenant}']`). */
  exceptModels: modelMatchSchema.optional(),
  /** Client-safe explanation shown in the 403. */
  message: z.string().min(1, { error: 'must not be empty' }).max(500, { error: 'must be at most 500 characters' }).optional(),
  /** Answer as if the model did not exist, so callers cannot learn it does. @default false */
  conceal: z.boolean().optional(),
  /** Route the request to this model instead of denying it, when the policy allows that model. */
  fallback: pattern.optional(),
});

/** A role: the permissions it grants and the roles whose permissions it inherits. */
export const rbacRoleSchema = z.strictObject({
  inherits: z.array(pattern).optional(),
  permissions: z.array(pattern).optional(),
});

/**
 * The whole policy document. Unknown fields anywhere are errors. Role, permission and rule ids are the
 * map keys. Cross-references (inherited roles, granted permissions, exempt roles, action names) are
 * checked when the policy is compiled.
 *
 * @example
 * rbacPolicySchema.parse({ roles: { analyst: { permissions: ['chat'] } }, permissions: { chat: { actions: ['inference:chat'] } } });
 */
export const rbacPolicySchema = z.strictObject({
  /** Action names besides the built-in ones that permissions and forbid rules may use. */
  actions: z.array(pattern).optional(),
  roles: z.record(z.string(), rbacRoleSchema),
  permissions: z.record(z.string(), rbacPermissionSchema).optional(),
  forbid: z.record(z.string(), rbacForbidSchema).optional(),
});

export type RbacPolicy = z.input<typeof rbacPolicySchema>;
export type RbacPolicyDocument = z.output<typeof rbacPolicySchema>;
export type RbacPermission = z.output<typeof rbacPermissionSchema>;
export type RbacForbid = z.output<typeof rbacForbidSchema>;
export type RbacModelMatch = z.output<typeof modelMatchSchema>;
export type RbacTenantMatch = z.output<typeof tenantMatchSchema>;
