// A validated config to GateOptions: copies of the plain sections, and the authentication methods built.
import type { AuthMethod } from '../authenticate/auth-method.js';
import type { GateOptions } from '../gate.js';
import type { TrustProxy } from '../net/client-ip.js';
import type { ConfigPath } from './config-path.js';
import type { TollgateConfig } from './config-schema.js';
import { buildAuthMethod } from './sections/authenticate.js';
import { buildInferenceLogOptions } from './sections/inference-log.js';
import type { TrustProxyConfig } from './sections/trust-proxy.js';
import { buildTenantAndPolicySteps, type TenantAndPolicySteps } from './sections/tenant-and-policy-steps.js';
import { buildRateLimit } from './sections/rate-limit.js';
import type { RateLimitStep } from '../rate-limit/rate-limit.js';
import { buildValidateRequestStep } from './sections/validate-request.js';
import type { StorePackageFinder } from './sections/remote-store.js';

function toTrustProxy(config: TrustProxyConfig): TrustProxy {
  if (config === false || typeof config === 'number') return config;
  if (Array.isArray(config)) return [...config];
  const form = config as Exclude<TrustProxyConfig, false | number | string[]>;
  return {
    ...(form.hops === undefined ? {} : { hops: form.hops }),
    ...(form.cidrs === undefined ? {} : { cidrs: [...form.cidrs] }),
    ...(form.header === undefined ? {} : { header: form.header }),
  };
}

/**
 * Builds GateOptions from a validated config. Stores are created here (a file store reads its file now,
 * a Redis or Postgres store starts connecting, found by `findPackage`); a failure is reported through
 * `fail` at the field's path, after closing what was already built.
 *
 * @example
 * const options = buildGateOptions(config, '/etc/tollgate', (path, error) => { throw error; }, storePackageFinder('/etc/tollgate', undefined));
 * const tg = gate(options);
 */
export function buildGateOptions(config: TollgateConfig, baseDir: string, fail: (path: ConfigPath, error: unknown) => never, findPackage: StorePackageFinder): GateOptions {
  // Built first: it holds no resources yet, so a failure later leaves nothing open.
  const inferenceLog = config.inferenceLog === undefined ? undefined : buildInferenceLogOptions(config.inferenceLog, baseDir, (path, error) => fail(['inferenceLog', ...path], error));
  // Also built before anything holding resources: validateRequest reads the registry, authorize looks fallbacks up in it.
  const validation = buildValidateRequestStep(config, fail);
  const methods: AuthMethod[] = [];
  const { authenticate } = config;
  try {
    authenticate.methods.forEach((method, index) => {
      const at: ConfigPath = ['authenticate', 'methods', index];
      methods.push(buildAuthMethod(method, baseDir, (path, error) => fail([...at, ...path], error), findPackage));
    });
  } catch (error) {
    // Methods built before the failure may hold file watchers; release them, the error is the news.
    for (const method of methods) void method.close?.().catch(() => undefined);
    throw error;
  }
  let tenantAndPolicy: TenantAndPolicySteps;
  try {
    tenantAndPolicy = buildTenantAndPolicySteps(config, baseDir, fail, findPackage, validation?.registry.lookup);
  } catch (error) {
    for (const method of methods) void method.close?.().catch(() => undefined);
    throw error;
  }
  let limits: RateLimitStep | undefined;
  try {
    limits = config.rateLimit === undefined ? undefined : buildRateLimit(config.rateLimit, (path, error) => fail(['rateLimit', ...path], error), findPackage, validation?.registry);
  } catch (error) {
    for (const method of methods) void method.close?.().catch(() => undefined);
    for (const step of Object.values(tenantAndPolicy)) void (step as { close?: () => Promise<void> } | undefined)?.close?.().catch(() => undefined);
    throw error;
  }
  return {
    ...(config.trustProxy === undefined ? {} : { trustProxy: toTrustProxy(config.trustProxy) }),
    ...(config.errors === undefined ? {} : { errors: { ...config.errors } }),
    ...(config.requestId === undefined ? {} : { requestId: { ...config.requestId } }),
    ...(config.body === undefined ? {} : { body: { ...config.body } }),
    ...(inferenceLog === undefined ? {} : { inferenceLog }),
    ...tenantAndPolicy,
    ...(validation === undefined ? {} : { validateRequest: validation.step }),
    ...(limits === undefined ? {} : { rateLimit: limits }),
    authenticate: {
      ...(authenticate.optional === undefined ? {} : { optional: authenticate.optional }),
      ...(authenticate.maxCredentialLength === undefined ? {} : { maxCredentialLength: authenticate.maxCredentialLength }),
      methods,
    },
  };
}
