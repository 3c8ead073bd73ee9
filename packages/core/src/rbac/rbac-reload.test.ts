// rbac({ file }) hot reload: a valid edit takes effect without a restart; an invalid one keeps the last valid policy.
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authorizationRequest } from '../authorize/authorization-request.js';
import { ConfigError } from '../errors/tollgate-error.js';
import { rbac, type RbacProvider } from './rbac.js';

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const policyText = (action: string): string => `roles:\n  analyst:\n    permissions: [p]\npermissions:\n  p:\n    actions: [${action}]\n`;
const keysRequest = authorizationRequest({
  principal: { subject: 'a', kind: 'user', method: 'api_key', roles: ['analyst'], scopes: [], claims: {} },
  action: 'admin:keys',
  path: '/admin/keys',
});

describe('rbac({ file }) reload', () => {
  let dir: string;
  let file: string;
  let provider: RbacProvider | undefined;
  let errors: Error[];
  let reloads: number;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tollgate-rbac-reload-'));
    file = join(dir, 'policy.yaml');
    errors = [];
    reloads = 0;
    await writeFile(file, policyText('inference:chat'));
  });
  afterEach(async () => {
    await provider?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const open = () => (provider = rbac({ file, debounceMs: 20, onError: (e) => errors.push(e), onReload: () => reloads++ }));

  it('applies a valid edit without a restart', async () => {
    const p = open();
    expect(p.decide(keysRequest)).toMatchObject({ allow: false });
    await writeFile(`${file}.swp`, policyText('admin:keys'));
    await rename(`${file}.swp`, file);
    await waitFor(() => reloads > 0, 'the reload');
    expect(p.decide(keysRequest)).toEqual({ allow: true, rule: 'p' });
    expect(errors).toEqual([]);
  });

  it('keeps the last valid policy when the edit is invalid, and reports where', async () => {
    const p = open();
    await writeFile(file, policyText('admin:keys').replace('permissions: [p]', 'permissions: [p]\n    inherits: [analyst]'));
    await waitFor(() => errors.length > 0, 'the reload error');
    expect(errors[0]).toBeInstanceOf(ConfigError);
    expect(errors[0]!.message).toContain(`${file}:4:16 roles.analyst.inherits[0]: role inheritance cycle: analyst -> analyst`);
    expect(p.decide(keysRequest)).toMatchObject({ allow: false, rule: 'default-deny' });
    // A later valid edit is taken again.
    await writeFile(file, policyText('admin:*'));
    await waitFor(() => reloads > 0, 'the reload');
    expect(p.decide(keysRequest)).toEqual({ allow: true, rule: 'p' });
  });

  it('keeps the last valid policy when the file disappears', async () => {
    const p = open();
    await rm(file);
    await expect(p.reload()).rejects.toThrow('keeping the last valid policy');
    expect(p.decide(authorizationRequest({ ...keysRequest, action: 'inference:chat', missing: [] }))).toEqual({ allow: true, rule: 'p' });
  });

  it('does not watch when told not to', async () => {
    provider = rbac({ file, watch: false, onReload: () => reloads++ });
    await writeFile(file, policyText('admin:keys'));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(provider.decide(keysRequest)).toMatchObject({ allow: false });
    await provider.reload();
    expect(provider.decide(keysRequest)).toEqual({ allow: true, rule: 'p' });
  });
});
