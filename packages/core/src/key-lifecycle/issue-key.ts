// Issues a key into a store: createApiKey, then put; the plaintext is returned once and stored nowhere.
import { createApiKey, type CreateApiKeyOptions, type CreatedApiKey } from '../api-key/create-api-key.js';
import { ConfigError } from '../errors/tollgate-error.js';
import { parseKeyRecord } from '../key-store/key-record-schema.js';
import { isTenantId } from '../tenant-store/tenant-record-schema.js';
import type { WritableKeyStore } from '../key-store/key-store.js';
import { storeCall } from './store-call.js';

/**
 * Creates a key for `options` and stores its record (hash only). Bad options are a ConfigError; a store
 * that fails is `TG_STORE_UNAVAILABLE`. Show the returned `key` to its owner once.
 *
 * @example
 * const { key, record } = await issueKey(store, { subject: 'svc-batch', kind: 'service', tenantId: 'acme', scopes: ['inference'] });
 */
export async function issueKey(store: WritableKeyStore, options: CreateApiKeyOptions): Promise<CreatedApiKey> {
  // The tenant store's own rule, so the key's tenant can exist and its id is safe to log and echo.
  if (options.tenantId !== undefined && !isTenantId(options.tenantId)) {
    throw new ConfigError(`Cannot create the key: tenantId must be 1-128 characters of A-Z a-z 0-9 . _ : - starting with a letter or digit; got ${JSON.stringify(options.tenantId)}`);
  }
  let created: CreatedApiKey;
  try {
    created = await createApiKey(options);
  } catch (error) {
    throw new ConfigError(`Cannot create the key: ${(error as Error).message}`, { cause: error });
  }
  // Checked as every store would read it back, so a bad tenant id or label fails here, not at the next lookup.
  parseKeyRecord(created.record, 'the new key');
  await storeCall(() => store.put(created.record));
  return created;
}
