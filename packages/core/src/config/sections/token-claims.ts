// Config fields shared by the token methods (jwt, introspection): the claim mapping.
import { z } from 'zod';
import type { ClaimMapping } from '../../bearer-token/claim-mapping.js';

const claimPath = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
  error: 'must be a claim name, a dot path such as realm_access.roles, or a list of path segments',
});

/** `claims:` of a token method: which claims make the principal. */
export const claimMappingSchema = z.strictObject({
  /** The caller's id. @default sub (else client_id) */
  subject: claimPath.optional(),
  /** The tenant id. @default none */
  tenant: claimPath.optional(),
  /** Roles. @default none */
  roles: claimPath.optional(),
  /** Scopes. @default scope, then scp */
  scopes: claimPath.optional(),
  /** @default auto */
  kind: z.enum(['user', 'service', 'auto']).optional(),
});

export type ClaimMappingConfig = z.infer<typeof claimMappingSchema>;

/**
 * Copies a validated mapping into fresh objects.
 *
 * @example
 * toClaimMapping({ tenant: 'org_id' }) // { tenant: 'org_id' }
 */
export function toClaimMapping(config: ClaimMappingConfig): ClaimMapping {
  const copy = (value: string | string[] | undefined) => (Array.isArray(value) ? [...value] : value);
  return {
    ...(config.subject === undefined ? {} : { subject: copy(config.subject)! }),
    ...(config.tenant === undefined ? {} : { tenant: copy(config.tenant)! }),
    ...(config.roles === undefined ? {} : { roles: copy(config.roles)! }),
    ...(config.scopes === undefined ? {} : { scopes: copy(config.scopes)! }),
    ...(config.kind === undefined ? {} : { kind: config.kind }),
  };
}
