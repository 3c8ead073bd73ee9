// File-specific behaviour of fileTenantStore: startup validation with lines, hot reload, keeping the last good tenants.
import { mkdtemp, rename, rm, writeFile, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/tollgate-error.js';
import { fileTenantStore, type FileTenantStore } from './file-tenant-store.js';
import type { TenantChange } from './tenant-store.js';

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Replaces a file the way editors do: write a sibling, then rename it over. */
async function replaceFile(path: string, text: string): Promise<void> {
  await writeFile(`${path}.swp`, text);
  await rename(`${path}.swp`, path);
}

const acme = 'tenants:\n  - id: acme\n    tier: pro\n    tags: [eu]\n';
const acmeAndGlobex = `${acme}  - id: globex\n    status: suspended\n`;

describe('fileTenantStore', () => {
  let dir: string;
  let path: string;
  let store: FileTenantStore | undefined;
  let events: TenantChange[];
  let errors: Error[];

  const open = (file = path, watch = true): FileTenantStore => {
    store = fileTenantStore({ path: file, watch, debounceMs: 20, onError: (error) => errors.push(error) });
    store.watch!((change) => events.push(change));
    return store;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tollgate-file-tenants-'));
    path = join(dir, 'tenants.yaml');
    events = [];
    errors = [];
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the file synchronously at startup and fills defaults', async () => {
    await writeFile(path, acmeAndGlobex);
    const s = open();
    expect(await s.get('acme')).toStrictEqual({ id: 'acme', status: 'active', tier: 'pro', tags: ['eu'] });
    expect(await s.get('globex')).toStrictEqual({ id: 'globex', status: 'suspended', tags: [] });
  });

  it('refuses a bad file at startup, naming the file, the line and the field', async () => {
    await writeFile(path, `${acme}  - id: globex\n    status: paused\n`);
    expect(() => open()).toThrow(ConfigError);
    expect(() => open()).toThrow(`Invalid tenant in ${path} line 5 (tenants[1]): status: must be "active" or "suspended"`);
    await writeFile(path, `${acme}  - id: acme\n`);
    expect(() => open()).toThrow(`Tenant file ${path} has tenant id "acme" twice: ${path} line 2 (tenants[0]) and ${path} line 5 (tenants[1])`);
    await writeFile(path, 'tenants:\n  - id: acme\n\ttier: pro\n');
    expect(() => open()).toThrow(new RegExp(`^Tenant file ${path}:3:1 YAML syntax: `));
    await writeFile(path, 'tenant:\n  - id: acme\n');
    expect(() => open()).toThrow(`Tenant file ${path}:1:1 has unknown top-level fields: tenant; only "tenants" is allowed`);
    await writeFile(path, 'tenants:\n  - id: acme\n    tenant_id: acme\n');
    expect(() => open()).toThrow('unknown field "tenant_id"');
  });

  it('names the line of a JSON mistake too', async () => {
    const json = join(dir, 'tenants.json');
    await writeFile(json, '{\n  "tenants": [\n    { "id": "acme" },\n    { "id": "a b" }\n  ]\n}\n');
    expect(() => open(json)).toThrow(`Invalid tenant in ${json} line 4 (tenants[1]): id: must be 1-128 characters`);
  });

  it('treats a missing or empty file as an empty store', async () => {
    expect(await open().list()).toStrictEqual([]);
    await store!.close();
    await writeFile(path, '');
    expect(await open().list()).toStrictEqual([]);
  });

  it('picks up an edit (a suspension) and tells watchers', async () => {
    await writeFile(path, acmeAndGlobex);
    const s = open();
    await replaceFile(path, acmeAndGlobex.replace('    tier: pro\n', '    tier: pro\n    status: suspended\n'));
    await waitFor(() => events.length > 0, 'the upsert of acme');
    expect(events).toStrictEqual([{ tenantId: 'acme', type: 'upsert' }]);
    expect((await s.get('acme'))?.status).toBe('suspended');
    expect(errors).toStrictEqual([]);
  });

  it('keeps the last good tenants when an edit is invalid, and reports it', async () => {
    await writeFile(path, acmeAndGlobex);
    const s = open();
    await replaceFile(path, 'tenants:\n  - id: acme\n    status: maybe\n');
    await waitFor(() => errors.length > 0, 'the reload error');
    expect(errors[0]).toBeInstanceOf(ConfigError);
    expect(errors[0]!.message).toContain('status: must be "active" or "suspended"');
    expect((await s.list()).map((t) => t.id)).toStrictEqual(['acme', 'globex']);
    expect(events).toStrictEqual([]);
    await expect(s.reload()).rejects.toThrow(ConfigError);
  });

  it('keeps the last good tenants when the file is removed', async () => {
    await writeFile(path, acme);
    const s = open();
    await rm(path);
    await waitFor(() => errors.length > 0, 'the removal report');
    expect(errors[0]!.message).toContain('was removed; keeping the last 1 tenants in force');
    expect(await s.get('acme')).toBeDefined();
  });

  it('writes atomically in the file format, mode 0600, and never reports its own writes', async () => {
    await writeFile(path, acme);
    const s = open();
    await s.put({ id: 'initech', status: 'active', tags: ['us'], limits: { requestsPerMinute: 5 } });
    expect(await readFile(path, 'utf8')).toBe(
      'tenants:\n  - id: acme\n    status: active\n    tier: pro\n    tags:\n      - eu\n  - id: initech\n    status: active\n    tags:\n      - us\n    limits:\n      requestsPerMinute: 5\n',
    );
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(errors).toStrictEqual([]);
    expect(events).toStrictEqual([{ tenantId: 'initech', type: 'upsert' }]);
  });

  it('does not overwrite an edit it has not seen yet', async () => {
    await writeFile(path, acme);
    const s = open(path, false);
    await writeFile(path, acmeAndGlobex);
    await s.put({ id: 'initech', status: 'active', tags: [] });
    expect((await s.list()).map((t) => t.id)).toStrictEqual(['acme', 'globex', 'initech']);
  });

  it('refuses bad options at startup', () => {
    expect(() => fileTenantStore({ path: join(dir, 'tenants.txt') })).toThrow('must end in .yaml, .yml or .json');
    expect(() => fileTenantStore({ path: join(dir, 'missing', 'tenants.yaml') })).toThrow('does not exist');
    expect(() => fileTenantStore({ path: '' })).toThrow('path must be a non-empty string');
  });

  it('rejects writes after close', async () => {
    const s = open();
    await s.close();
    await expect(s.put({ id: 'acme', status: 'active', tags: [] })).rejects.toThrow('is closed');
  });
});
