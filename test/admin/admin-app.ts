// An Express app with the admin API mounted behind tollgate, and an inference route on the same key store, on a real socket.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import {
  adminApi, apiKey, authorize, createApiKey, gate, inferenceLog, memoryAuditSink, rbac, resolveTenant,
  type CreateApiKeyOptions, type MemoryAuditSink, type RbacPolicy, type WritableKeyStore, type WritableTenantStore,
} from '@tollgate/core';
import { tollgate, tollgateAdmin } from '@tollgate/express';
import { rememberSecret } from '../support/secret-ledger.js';

export const fast = { memoryCost: 1024, timeCost: 1 };

/** How the admin routes are permitted: the principal's scope, or an authorize step with this RBAC policy. */
export type AdminPermission = { readonly via: 'scope' } | { readonly via: 'authorize'; readonly policy: RbacPolicy; readonly action?: string };

export interface AdminApp {
  readonly url: string;
  /** The inference log of the admin chain: every admin request's record. */
  readonly records: MemoryAuditSink;
  /** Issues a key straight into the store (and remembers its secret for the leak scan). */
  key(options: Omit<CreateApiKeyOptions, 'hash'>): Promise<{ key: string; id: string }>;
  /** A request to the app with a key. */
  call(method: string, path: string, key: string | undefined, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; text: string; json: () => Record<string, unknown> }>;
  close(): Promise<void>;
}

/**
 * Serves `/admin/*` (the admin API behind authenticate, resolveTenant with `tenants:any` as the
 * multi-tenant scope, and authorize when asked) and `POST /v1/chat/completions` (an inference route on
 * the same stores, to see keys work or stop working).
 */
export async function startAdminApp(keys: WritableKeyStore, tenants: WritableTenantStore, permission: AdminPermission = { via: 'scope' }): Promise<AdminApp> {
  const records = memoryAuditSink();
  const tenantStep = () => resolveTenant({ store: tenants, required: false, multiTenant: { scopes: ['tenants:any'] } });
  const authorizeStep =
    permission.via === 'authorize'
      ? authorize({ provider: rbac({ policy: permission.policy }), routes: [{ path: '/admin/keys/**', action: permission.action ?? 'admin:keys' }, { path: '/admin/tenants/**', action: 'admin:tenants' }] })
      : undefined;
  const adminGate = gate({
    inferenceLog: inferenceLog({ sinks: [records], hashKey: 'admin-test-hash-key-'.padEnd(40, 'x') }),
    authenticate: { methods: [apiKey({ store: keys, lastUsed: false })] },
    resolveTenant: tenantStep(),
    ...(authorizeStep === undefined ? {} : { authorize: authorizeStep }),
  });
  const appGate = gate({ authenticate: { methods: [apiKey({ store: keys, lastUsed: false })] }, resolveTenant: tenantStep() });
  const app = express();
  app.use('/admin', tollgate(adminGate), tollgateAdmin(adminApi({ keys, tenants, hash: fast })));
  app.post('/v1/chat/completions', tollgate(appGate), (req, res) => void res.json({ caller: req.auth?.subject, tenant: req.tollgate?.tenant?.id }));
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    records,
    async key(options) {
      const created = await createApiKey({ ...options, hash: fast });
      await keys.put(created.record);
      rememberSecret(created.key);
      return { key: created.key, id: created.record.id };
    },
    async call(method, path, key, body, headers = {}) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await adminGate.close();
      await appGate.close();
    },
  };
}
