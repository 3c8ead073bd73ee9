// The whole config file's schema: one strict section per capability, each in its own module under sections/.
import { z } from 'zod';
import { authenticateSchema } from './sections/authenticate.js';
import { bodySchema } from './sections/body.js';
import { inferenceLogSchema } from './sections/inference-log.js';
import { errorsSchema } from './sections/errors.js';
import { requestIdSchema } from './sections/request-id.js';
import { trustProxySchema } from './sections/trust-proxy.js';
import { tenantsSchema } from './sections/tenants.js';
import { resolveTenantSchema } from './sections/resolve-tenant.js';
import { authorizeSchema } from './sections/authorize.js';
import { rateLimitSchema } from './sections/rate-limit.js';
import { modelsSchema } from './sections/models.js';
import { validateRequestSchema } from './sections/validate-request.js';

/**
 * The schema of `tollgate.yaml` / `tollgate.json` (zod 4). Unknown keys are errors, so typos surface.
 * Fields are not defaulted here: an absent field keeps the programmatic default of the step it configures.
 *
 * @example
 * const result = configSchema.safeParse({ version: 1, authenticate: { methods: [{ type: 'apiKey', store: { type: 'memory' } }] } });
 * result.success // true
 */
export const configSchema = z.strictObject({
  /** Format version of this file; must be 1. */
  version: z.literal(1, { error: (issue) => (issue.input === undefined ? undefined : 'must be 1 (the only format version so far)') }),
  trustProxy: trustProxySchema.optional(),
  errors: errorsSchema.optional(),
  requestId: requestIdSchema.optional(),
  body: bodySchema.optional(),
  authenticate: authenticateSchema,
  tenants: tenantsSchema.optional(),
  resolveTenant: resolveTenantSchema.optional(),
  authorize: authorizeSchema.optional(),
  inferenceLog: inferenceLogSchema.optional(),
  rateLimit: rateLimitSchema.optional(),
  models: modelsSchema.optional(),
  validateRequest: validateRequestSchema.optional(),
});

/** A validated config file, as the schema outputs it. */
export type TollgateConfig = z.infer<typeof configSchema>;
