// The key operations of the admin API, confined to the caller's tenant and grant; responses carry no secret but a new key.
import type { SecretHashOptions } from '../api-key/secret-hash.js';
import type { Principal } from '../context/principal.js';
import type { TgContext } from '../context/tg-context.js';
import { ConfigError, TollgateError } from '../errors/tollgate-error.js';
import { issueKey } from '../key-lifecycle/issue-key.js';
import { keyView, type KeyView } from '../key-lifecycle/key-view.js';
import { revokeKey } from '../key-lifecycle/revoke-key.js';
import { rotateKey } from '../key-lifecycle/rotate-key.js';
import { keyNotFound, storeCall } from '../key-lifecycle/store-call.js';
import type { KeyRecord } from '../key-store/key-record.js';
import type { WritableKeyStore } from '../key-store/key-store.js';
import { actingTenant, assertSameTenant, assertWithinGrant } from './admin-access.js';
import { adminBody, createKeyBody, emptyBody, rotateKeyBody } from './admin-input.js';

/** What the key handlers need from the admin API's options. */
export interface KeyHandlerSettings {
  readonly keys: WritableKeyStore;
  readonly graceSeconds: number;
  readonly hash: SecretHashOptions | undefined;
  readonly now: () => number;
}

/** A handler's answer: status and JSON body. */
export interface AdminResult {
  readonly status: number;
  readonly body: unknown;
  /** The key the operation touched, for `context.decisions.admin`. */
  readonly keyId?: string;
}

export const shownOnce = 'This key is shown once and cannot be recovered: store it now. Only its hash is kept.';

/** A key the caller may see: in its tenant (a platform operator sees all). Another tenant's key is "not found". */
async function visibleKey(settings: KeyHandlerSettings, acting: string | undefined, keyId: string): Promise<KeyRecord> {
  const record = await storeCall(() => settings.keys.get(keyId));
  if (record === undefined || (acting !== undefined && record.tenantId !== acting)) throw keyNotFound(keyId);
  return record;
}

/** The environment a caller's own key was issued in, if it authenticated with a key. */
function callerEnv(principal: Principal): string | undefined {
  const env = principal.claims['env'];
  return principal.method === 'api_key' && typeof env === 'string' ? env : undefined;
}

const view = (record: KeyRecord, settings: KeyHandlerSettings): KeyView => keyView(record, settings.now());

/**
 * Runs one key operation for an already permitted caller.
 *
 * @example
 * const result = await runKeyOperation('keys.revoke', 'AbC123dEf456', new URLSearchParams(), context, principal, settings);
 */
export async function runKeyOperation(operation: string, id: string | undefined, query: URLSearchParams, context: TgContext, principal: Principal, settings: KeyHandlerSettings, parsed?: { readonly value: unknown }): Promise<AdminResult> {
  const acting = actingTenant(context, principal);
  switch (operation) {
    case 'keys.list': {
      const asked = query.get('tenant') || undefined;
      assertSameTenant(acting, asked ?? acting);
      const tenantId = asked ?? acting;
      const records = await storeCall(() => settings.keys.list(tenantId === undefined ? {} : { tenantId }));
      return { status: 200, body: { object: 'list', data: records.map((r) => view(r, settings)) } };
    }
    case 'keys.create': {
      const body = await adminBody(context, createKeyBody, parsed);
      const tenantId = body.tenantId ?? acting;
      assertSameTenant(acting, tenantId);
      assertWithinGrant(principal, body, 'The new key');
      const env = body.env ?? callerEnv(principal);
      if (callerEnv(principal) !== undefined && env !== callerEnv(principal)) {
        throw new TollgateError('TG_PRIVILEGE_ESCALATION', { message: `A key of environment ${callerEnv(principal)} can only create keys of that environment.`, param: 'env' });
      }
      const created = await issueKey(settings.keys, {
        ...body,
        ...(tenantId === undefined ? {} : { tenantId }),
        ...(env === undefined ? {} : { env }),
        ...(settings.hash === undefined ? {} : { hash: settings.hash }),
        now: settings.now,
      }).catch((error: unknown) => {
        throw error instanceof ConfigError ? new TollgateError('TG_INVALID_REQUEST', { message: error.message }) : error;
      });
      return { status: 201, keyId: created.record.id, body: { key: created.key, record: view(created.record, settings), warning: shownOnce } };
    }
    case 'keys.show':
      return { status: 200, keyId: id!, body: view(await visibleKey(settings, acting, id!), settings) };
    case 'keys.rotate': {
      const body = await adminBody(context, rotateKeyBody, parsed);
      const old = await visibleKey(settings, acting, id!);
      assertWithinGrant(principal, old, `Key ${old.id}`);
      const rotated = await rotateKey(settings.keys, old.id, {
        graceSeconds: body.graceSeconds ?? settings.graceSeconds,
        now: settings.now,
        ...(body.expiresAt === undefined ? {} : { expiresAt: body.expiresAt }),
        ...(settings.hash === undefined ? {} : { hash: settings.hash }),
      });
      return { status: 201, keyId: old.id, body: { key: rotated.key, record: view(rotated.record, settings), previous: view(rotated.previous, settings), warning: shownOnce } };
    }
    case 'keys.revoke': {
      await adminBody(context, emptyBody, parsed);
      // Any key of the caller's tenant: revocation only removes access, and a leaked key must go fast.
      const target = await visibleKey(settings, acting, id!);
      return { status: 200, keyId: target.id, body: view(await revokeKey(settings.keys, target.id, { now: settings.now }), settings) };
    }
    default:
      throw new TollgateError('TG_INTERNAL', { message: `unknown key operation ${operation}` });
  }
}
