// Config section `authorize`: the policy provider (rbac, cedar or authzen), routes to actions, required scopes.
import { accessSync, constants } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { isActionName } from '../../authorize/actions.js';
import { authorize, type AuthorizeStep } from '../../authorize/authorize.js';
import type { ModelLookup } from '../../authorize/fallback-model.js';
import type { PolicyProvider } from '../../authorize/policy-provider.js';
import { authzen } from '../../authzen/authzen.js';
import { cedar } from '../../cedar/cedar.js';
import { tollgateCedarSchema } from '../../cedar/tollgate-cedar-schema.js';
import { compileRbacPolicy } from '../../rbac/compile-rbac-policy.js';
import { rbacPolicySchema } from '../../rbac/rbac-policy-schema.js';
import { rbac } from '../../rbac/rbac.js';
import { checkedString, headerNameField, wholeNumberField } from '../config-fields.js';
import type { ConfigPath } from '../config-path.js';

const action = checkedString((value) => {
  if (!isActionName(value)) throw new Error('not an action');
}, 'must be an action name such as "admin:keys"');
const actionPattern = checkedString((value) => {
  if (!isActionName(value.replaceAll('*', 'x'))) throw new Error('not an action pattern');
}, 'must be an action or a pattern such as "admin:*"');
const filePath = (extensions: RegExp, message: string) => z.string().min(1, { error: 'must not be empty' }).regex(extensions, { error: message });

/** Fields every provider shares. */
const shared = {
  /** The app's routes mapped to actions, tried before the built-in inference paths. @default [] */
  routes: z
    .array(
      z.strictObject({
        method: z.string().regex(/^[A-Za-z]+$/, { error: 'must be an HTTP method' }).optional(),
        path: z.string().regex(/^(\/|\*\*)/, { error: 'must start with "/" (or "**/")' }),
        action,
      }),
    )
    .optional(),
  /** Scopes actions need; a shortfall is a 403 insufficient_scope. @default [] */
  scopes: z.array(z.strictObject({ action: actionPattern, scope: z.string().min(1, { error: 'must not be empty' }) })).optional(),
  /** Response header naming the model a request was routed to. @default 'x-tollgate-model-rewritten' */
  rewriteHeader: headerNameField.optional(),
};

const rbacSchema = z.strictObject({
  provider: z.literal('rbac'),
  /** A policy file (`.yaml`, `.yml`, `.json`, relative to this file) or the policy itself. */
  policy: z.union([filePath(/\.(ya?ml|json)$/i, 'must be a .yaml, .yml or .json file, or the policy itself'), rbacPolicySchema]),
  /** Reload the policy file when it changes. @default true */
  watch: z.boolean().optional(),
  ...shared,
});

const cedarSchema = z.strictObject({
  provider: z.literal('cedar'),
  /** The `.cedar` policies file, relative to this file. */
  policies: filePath(/\.cedar$/i, 'must be a .cedar file'),
  /** `tollgate` (the built-in schema, with the actions of `routes`) or a `.cedarschema`/`.json` file. @default no schema */
  schema: z.union([z.literal('tollgate'), filePath(/\.(cedarschema|json)$/i, 'must be "tollgate" or a .cedarschema or .json file')]).optional(),
  /** Reuse evaluations per engine input. @default { ttlMs: 60000, maxEntries: 10000 } */
  cache: z.union([z.literal(false), z.strictObject({ ttlMs: wholeNumberField(1, 86_400_000).optional(), maxEntries: wholeNumberField(1, 10_000_000).optional() })], { error: 'must be false or { ttlMs, maxEntries }' }).optional(),
  ...shared,
});

const authzenSchema = z.strictObject({
  provider: z.literal('authzen'),
  /** The PDP's access evaluation endpoint. */
  url: z.string().regex(/^https?:\/\/[^\s/@]+(\/|$)/i, { error: 'must be an http(s) URL without credentials' }),
  /** Request headers for the PDP, e.g. `authorization: "Bearer ${PDP_TOKEN}"`. */
  headers: z.record(headerNameField, z.string()).optional(),
  timeoutMs: wholeNumberField(1, 60_000).optional(),
  cache: z.union([z.literal(false), z.strictObject({ ttlMs: wholeNumberField(1, 3_600_000).optional(), maxEntries: wholeNumberField(1, 10_000_000).optional() })], { error: 'must be false or { ttlMs, maxEntries }' }).optional(),
  requiresFacts: z.array(z.enum(['model', 'inference', 'tenant'])).optional(),
  ...shared,
});

/** Who may do what: one provider, picked by `provider`. */
export const authorizeSchema = z.discriminatedUnion('provider', [rbacSchema, cedarSchema, authzenSchema]);

export type AuthorizeConfig = z.infer<typeof authorizeSchema>;

const inDir = (baseDir: string, path: string): string => (isAbsolute(path) ? path : resolve(baseDir, path));

function readable(path: string, fail: () => never): void {
  try {
    accessSync(path, constants.R_OK);
  } catch {
    fail();
  }
}

function buildProvider(config: AuthorizeConfig, baseDir: string, fail: (path: ConfigPath, error: unknown) => never): PolicyProvider | Promise<PolicyProvider> {
  switch (config.provider) {
    case 'rbac': {
      const { policy } = config;
      if (typeof policy === 'string') {
        try {
          return rbac({ file: inDir(baseDir, policy), ...(config.watch === undefined ? {} : { watch: config.watch }) });
        } catch (error) {
          return fail(['policy'], error);
        }
      }
      const compiled = compileRbacPolicy(policy);
      if (!compiled.ok) return fail(['policy', ...compiled.problems[0]!.path], new Error(compiled.problems[0]!.message));
      return rbac({ policy });
    }
    case 'cedar': {
      const policiesFile = inDir(baseDir, config.policies);
      readable(policiesFile, () => fail(['policies'], new Error(`cannot read ${policiesFile}`)));
      const schemaFile = config.schema === undefined || config.schema === 'tollgate' ? undefined : inDir(baseDir, config.schema);
      if (schemaFile !== undefined) readable(schemaFile, () => fail(['schema'], new Error(`cannot read ${schemaFile}`)));
      const schema = config.schema === 'tollgate' ? tollgateCedarSchema((config.routes ?? []).map((r) => r.action)) : undefined;
      // Loaded in the background (the engine is imported on first use); gate().ready() reports a failure.
      return cedar({ policiesFile, ...(schema === undefined ? {} : { schema }), ...(schemaFile === undefined ? {} : { schemaFile }), ...(config.cache === undefined ? {} : { cache: config.cache }) });
    }
    case 'authzen':
      try {
        return authzen({
          url: config.url,
          ...(config.headers === undefined ? {} : { headers: { ...config.headers } }),
          ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
          ...(config.cache === undefined ? {} : { cache: config.cache === false ? false : { ...config.cache } }),
          ...(config.requiresFacts === undefined ? {} : { requiresFacts: [...config.requiresFacts] }),
        });
      } catch (error) {
        return fail(['url'], error);
      }
  }
}

/**
 * Builds the authorize step a validated section describes. `fail` reports a build error at a path
 * relative to the section. `models` finds fallback models (the model registry), when there is one.
 *
 * @example
 * const step = buildAuthorizeStep({ provider: 'rbac', policy: 'policy.yaml' }, '/etc/tollgate', (p, e) => { throw e; });
 */
export function buildAuthorizeStep(config: AuthorizeConfig, baseDir: string, fail: (path: ConfigPath, error: unknown) => never, models?: ModelLookup): AuthorizeStep {
  const provider = buildProvider(config, baseDir, fail);
  try {
    return authorize({
      provider,
      ...(models === undefined ? {} : { models }),
      ...(config.routes === undefined ? {} : { routes: config.routes.map((r) => ({ ...r })) }),
      ...(config.scopes === undefined ? {} : { scopes: config.scopes.map((s) => ({ ...s })) }),
      ...(config.rewriteHeader === undefined ? {} : { rewriteHeader: config.rewriteHeader }),
    });
  } catch (error) {
    if ('decide' in provider) void provider.close?.().catch(() => undefined);
    return fail(config.provider === 'rbac' ? ['policy'] : [], error);
  }
}
