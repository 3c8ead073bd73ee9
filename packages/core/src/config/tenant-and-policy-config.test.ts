// The tenants, resolveTenant and authorize sections: a working chain from a file, and mistakes reported at their lines.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../api-key/create-api-key.js';
import { ConfigError } from '../errors/tollgate-error.js';
import { gate } from '../gate.js';
import { parseConfig } from './load-config.js';
import type { ConfiguredApiKeyMethod } from './sections/api-key-method.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-config-authz-'));
const head = 'version: 1\nauthenticate:\n  methods:\n    - type: apiKey\n      store: { type: memory }\n';
const load = (text: string) => parseConfig(text, { baseDir: dir, env: {}, source: 'tollgate.yaml' });

function problem(text: string): string {
  try {
    const options = load(text);
    void gate(options).close();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message.split('\n').slice(1).join('\n').trim();
  }
  throw new Error('expected a ConfigError');
}

describe('tenants, resolveTenant and authorize in a config file', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds a chain that ties requests to tenants and authorizes them', async () => {
    writeFileSync(join(dir, 'tenants.yaml'), 'tenants:\n  - id: acme\n  - id: initech\n    status: suspended\n');
    writeFileSync(join(dir, 'policy.yaml'), 'roles:\n  key-admin:\n    permissions: [keys]\npermissions:\n  keys:\n    actions: [admin:keys]\n');
    const options = load(`${head}tenants:\n  store: { type: file, path: tenants.yaml }\nresolveTenant:\n  header: x-org\nauthorize:\n  provider: rbac\n  policy: policy.yaml\n  routes:\n    - { path: /admin/keys/**, action: admin:keys }\n`);
    const { store } = options.authenticate.methods[0] as ConfiguredApiKeyMethod;
    const made = async (tenantId: string, roles: string[]) => {
      const { key, record } = await createApiKey({ subject: 'alice', tenantId, roles, hash: { memoryCost: 1024, timeCost: 1 } });
      await store.put(record);
      return key;
    };
    const tg = gate(options);
    await tg.ready();
    const send = async (key: string, headers: Record<string, string> = {}) => {
      const all: Record<string, string> = { authorization: `Bearer ${key}`, ...headers };
      const handle = tg.start({ method: 'GET', path: '/admin/keys/k1', headerValues: (n) => (all[n] === undefined ? [] : [all[n]!]), remoteAddress: '127.0.0.1', body: () => ({ kind: 'none' }) });
      const response = await tg.run(handle);
      return { status: response?.status ?? 200, context: handle.context };
    };
    const admin = await made('acme', ['key-admin']);
    const ok = await send(admin);
    expect(ok.status).toBe(200);
    expect(ok.context.tenant?.id).toBe('acme');
    expect(ok.context.decisions.authz).toMatchObject({ allow: true, rule: 'keys', provider: 'rbac', action: 'admin:keys' });
    expect((await send(admin, { 'x-org': 'initech' })).status).toBe(403);
    expect((await send(await made('acme', ['analyst']))).status).toBe(403);
    expect((await send(await made('initech', ['key-admin']))).context.decisions.tenant?.reason).toBe('TG_TENANT_SUSPENDED');
    await tg.close();
  });

  it('loads Cedar in the background; ready() reports when it is usable', async () => {
    writeFileSync(join(dir, 'policies.cedar'), 'permit (principal in Tollgate::Role::"key-admin", action == Tollgate::Action::"reports:read", resource);\n');
    const tg = gate(load(`${head}authorize:\n  provider: cedar\n  policies: policies.cedar\n  schema: tollgate\n  routes: [{ path: /reports/**, action: reports:read }]\n`));
    await expect(tg.ready()).resolves.toBeUndefined();
    await tg.close();
    writeFileSync(join(dir, 'bad.cedar'), 'permit (principal, action, resource) when { resource.nope };\n');
    const broken = gate(load(`${head}authorize:\n  provider: cedar\n  policies: bad.cedar\n  schema: tollgate\n`));
    await expect(broken.ready()).rejects.toThrow(/do not match the schema/);
    await broken.close();
  });

  it('passes the Cedar decision cache settings on, and refuses bad ones at their line', async () => {
    const tg = gate(load(`${head}authorize:
  provider: cedar
  policies: policies.cedar
  cache: { maxEntries: 5, ttlMs: 1000 }
`));
    await expect(tg.ready()).resolves.toBeUndefined();
    await tg.close();
    expect(problem(`${head}authorize:
  provider: cedar
  policies: policies.cedar
  cache: yes
`)).toMatch(/authorize\.cache: must be false or \{ ttlMs, maxEntries \}/);
  });

  it('reports mistakes at their lines', () => {
    expect(problem(`${head}resolveTenant:\n  header: x-org\n`)).toBe('tollgate.yaml:7:3 resolveTenant: needs a "tenants" section saying where tenants are stored');
    expect(problem(`${head}tenants:\n  store:\n    type: memory\n    tenants:\n      - id: acme\n        status: paused\n`)).toBe('tollgate.yaml:11:17 tenants.store.tenants[0].status: must be "active" or "suspended"');
    expect(problem(`${head}authorize:\n  provider: opa\n`)).toBe('tollgate.yaml:7:13 authorize.provider: must be one of "rbac", "cedar", "authzen"');
    const inline = `${head}authorize:\n  provider: rbac\n  policy:\n    roles:\n      a:\n        inherits: [b]\n      b:\n        inherits: [a]\n`;
    expect(problem(inline)).toBe('tollgate.yaml:13:20 authorize.policy.roles.b.inherits[0]: role inheritance cycle: a -> b -> a');
    expect(problem(`${head}authorize:\n  provider: rbac\n  policy:\n    roles: {}\n    permisions: {}\n`)).toMatch(/^tollgate\.yaml:10:5 authorize\.policy\.permisions: unknown key "permisions"/);
    writeFileSync(join(dir, 'broken.yaml'), 'roles:\n  a:\n    permissions: [nope]\n');
    expect(problem(`${head}authorize:\n  provider: rbac\n  policy: broken.yaml\n`)).toContain(`tollgate.yaml:8:11 authorize.policy: Invalid RBAC policy in ${join(dir, 'broken.yaml')} (1 problem):`);
    writeFileSync(join(dir, 'routing.yaml'), 'roles: {}\nforbid:\n  f:\n    models: { names: [a] }\n    fallback: b\n');
    expect(problem(`${head}authorize:\n  provider: rbac\n  policy: routing.yaml\n`)).toContain('routes requests to fallback models; pass options.models');
    expect(problem(`${head}authorize:\n  provider: cedar\n  policies: missing.cedar\n`)).toBe(`tollgate.yaml:8:13 authorize.policies: cannot read ${join(dir, 'missing.cedar')}`);
    expect(problem(`${head}authorize:\n  provider: authzen\n  url: ftp://pdp\n`)).toBe('tollgate.yaml:8:8 authorize.url: must be an http(s) URL without credentials');
    expect(problem(`${head}authorize:\n  provider: authzen\n  url: https://pdp/x\n  timeoutMs: 0\n`)).toBe('tollgate.yaml:9:14 authorize.timeoutMs: must be a whole number from 1 to 60000');
    expect(problem(`${head}authorize:\n  provider: rbac\n  policy: p.yaml\n  routes: [{ path: admin, action: admin:keys }]\n`)).toBe('tollgate.yaml:9:20 authorize.routes[0].path: must start with "/" (or "**/")');
  });
});
