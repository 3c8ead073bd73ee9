// File-specific behaviour of fileKeyStore: startup validation, hot reload, atomic writes in the file's format, cleanup.
import { chmod, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors/tollgate-error.js';
import { fileKeyStore, type FileKeyStore } from './file-key-store.js';
import type { KeyRecord } from './key-record.js';
import type { KeyChange } from './key-store.js';

const hash = '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g';
const A = 'AAAAAAAAAAAA';
const B = 'BBBBBBBBBBBB';
const C = 'CCCCCCCCCCCC';

/** One record as a hand-written YAML list entry (7 lines plus extras), independent of the store's writer. */
const entry = (id: string, extra: Record<string, string> = {}): string =>
  [`  - id: ${id}`, '    env: live', `    hash: ${hash}`, '    subject: alice', '    kind: user', '    tenantId: acme', '    createdAt: 2025-01-01T00:00:00Z']
    .concat(Object.entries(extra).map(([k, v]) => `    ${k}: ${v}`))
    .join('\n');
const yamlFile = (...entries: string[]): string => `# keys\nkeys:\n${entries.join('\n')}\n`;

const record = (id: string, extra: Partial<KeyRecord> = {}): KeyRecord => ({
  id, env: 'live', hash, subject: 'alice', kind: 'user', tenantId: 'acme', roles: [], scopes: [], createdAt: '2025-01-01T00:00:00Z', ...extra,
});

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

describe('fileKeyStore', () => {
  let dir: string;
  let path: string;
  let store: FileKeyStore | undefined;
  let events: KeyChange[];
  let errors: Error[];

  const open = (file = path, watch = true): FileKeyStore => {
    store = fileKeyStore({ path: file, watch, debounceMs: 20, onError: (error) => errors.push(error) });
    store.watch!((change) => events.push(change));
    return store;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tollgate-file-keys-'));
    path = join(dir, 'keys.yaml');
    events = [];
    errors = [];
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the file synchronously at startup and fills optional lists', async () => {
    await writeFile(path, yamlFile(entry(A), entry(B, { roles: '[admin]', revokedAt: '2030-01-01T00:00:00Z' })));
    const s = open();
    expect(await s.get(A)).toStrictEqual(record(A));
    expect(await s.get(B)).toStrictEqual(record(B, { roles: ['admin'], revokedAt: '2030-01-01T00:00:00Z' }));
  });

  it('picks up a record another writer adds, and emits an upsert', async () => {
    await writeFile(path, yamlFile(entry(A)));
    const s = open();
    await writeFile(path, yamlFile(entry(A), entry(B)));
    await waitFor(() => events.length > 0, 'the upsert of B');
    expect(events).toStrictEqual([{ keyId: B, type: 'upsert' }]);
    expect(await s.get(B)).toStrictEqual(record(B));
    expect(errors).toStrictEqual([]);
  });

  it('emits delete for a record removed from the file and upsert for a changed one', async () => {
    await writeFile(path, yamlFile(entry(A), entry(B), entry(C)));
    const s = open();
    await replaceFile(path, yamlFile(entry(A, { revokedAt: '2025-02-01T00:00:00Z' }), entry(C)));
    await waitFor(() => events.length >= 2, 'the delete of B and the upsert of A');
    expect(events).toStrictEqual([
      { keyId: A, type: 'upsert' },
      { keyId: B, type: 'delete' },
    ]);
    expect(await s.get(B)).toBeUndefined();
    expect((await s.get(A))?.revokedAt).toBe('2025-02-01T00:00:00Z');
    expect((await s.list()).map((r) => r.id)).toStrictEqual([A, C]);
  });

  it('keeps the last good records on an invalid edit, reports it, and recovers on a good one', async () => {
    await writeFile(path, yamlFile(entry(A)));
    const s = open();
    await replaceFile(path, 'keys: [unclosed\n');
    await waitFor(() => errors.length === 1, 'the YAML error');
    expect(errors[0]).toBeInstanceOf(ConfigError);
    expect(errors[0]!.message).toContain(path);
    await replaceFile(path, yamlFile(entry(B, { models: 'gpt-4o' })));
    await waitFor(() => errors.length === 2, 'the bad record error');
    expect(errors[1]!.message).toMatch(/line 3 \(keys\[0\]\): models: .*expected array/);
    expect(await s.get(A)).toStrictEqual(record(A));
    expect(await s.get(B)).toBeUndefined();
    expect(events).toStrictEqual([]);
    await replaceFile(path, yamlFile(entry(B)));
    await waitFor(() => events.length >= 2, 'the recovery');
    expect(events).toStrictEqual([
      { keyId: A, type: 'delete' },
      { keyId: B, type: 'upsert' },
    ]);
  });

  it('refuses a startup file with a bad record, naming the file, the line and the field', async () => {
    await writeFile(path, yamlFile(entry(A), entry(B, { expiresAt: 'next tuesday' })));
    expect(() => open()).toThrow(ConfigError);
    expect(() => open()).toThrow(`${path} line 10 (keys[1]): expiresAt: must be an ISO 8601 date`);
  });

  it('refuses duplicate ids, unknown fields, bad JSON and unknown extensions at startup', async () => {
    await writeFile(path, yamlFile(entry(A), entry(A)));
    expect(() => open()).toThrow(/key id "AAAAAAAAAAAA" twice: .*line 3 \(keys\[0\]\) and .*line 10 \(keys\[1\]\)/);
    const json = join(dir, 'keys.json');
    await writeFile(json, JSON.stringify({ keys: [{ ...record(A), expires_at: '2030-01-01' }] }));
    expect(() => open(json)).toThrow(/keys\[0\]\): unknown field "expires_at"/);
    await writeFile(json, '{"keys": [');
    expect(() => open(json)).toThrow(/is not valid JSON/);
    expect(() => open(join(dir, 'keys.toml'))).toThrow(ConfigError);
    expect(() => open(join(dir, 'missing', 'keys.yaml'))).toThrow(/does not exist/);
  });

  it('starts empty without a file and creates it with mode 0600 on the first write', async () => {
    const s = open();
    expect(await s.list()).toStrictEqual([]);
    await s.put(record(A));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await chmod(path, 0o644);
    await s.put(record(B));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('writes YAML to a .yaml file and JSON to a .json file', async () => {
    const yamlStore = open();
    await yamlStore.put(record(A, { metadata: { team: 'ml', seats: 3, beta: true } }));
    await yamlStore.close();
    const yamlText = await readFile(path, 'utf8');
    expect(() => JSON.parse(yamlText)).toThrow();
    expect(parseYaml(yamlText)).toStrictEqual({ keys: [record(A, { metadata: { team: 'ml', seats: 3, beta: true } })] });
    const json = join(dir, 'keys.json');
    await open(json).put(record(B));
    expect(JSON.parse(await readFile(json, 'utf8'))).toStrictEqual({ keys: [record(B)] });
  });

  it('does not echo its own writes through the watcher', async () => {
    const s = open();
    await s.put(record(A));
    await s.delete(A);
    await s.put(record(B));
    // Reloads run in order, so once this external edit is seen, every event our writes caused has been handled.
    await writeFile(path, `${(await readFile(path, 'utf8')).trimEnd()}\n${entry(C)}\n`);
    await waitFor(() => events.some((e) => e.keyId === C), 'the external upsert of C');
    expect(events).toStrictEqual([
      { keyId: A, type: 'upsert' },
      { keyId: A, type: 'delete' },
      { keyId: B, type: 'upsert' },
      { keyId: C, type: 'upsert' },
    ]);
    expect(errors).toStrictEqual([]);
  });

  it('reads unseen edits before writing instead of overwriting them', async () => {
    await writeFile(path, yamlFile(entry(A)));
    const s = open(path, false);
    await writeFile(path, yamlFile(entry(A), entry(B)));
    await s.put(record(C));
    expect(events).toStrictEqual([
      { keyId: B, type: 'upsert' },
      { keyId: C, type: 'upsert' },
    ]);
    expect((parseYaml(await readFile(path, 'utf8')) as { keys: KeyRecord[] }).keys.map((r) => r.id)).toStrictEqual([A, B, C]);
  });

  it('reload() applies a good file and rejects a bad one, keeping the records', async () => {
    const s = open(path, false);
    await writeFile(path, yamlFile(entry(A)));
    await s.reload();
    expect(events).toStrictEqual([{ keyId: A, type: 'upsert' }]);
    await writeFile(path, yamlFile(entry(A, { surprise: 'yes' })));
    await expect(s.reload()).rejects.toThrow(/unknown field "surprise"/);
    await rm(path);
    await expect(s.reload()).rejects.toThrow(/was removed/);
    expect(await s.get(A)).toStrictEqual(record(A));
    await expect(s.put(record(B))).rejects.toThrow(/was removed/);
  });

  it('close() releases the watcher and refuses later writes', async () => {
    const watchers = () => process.getActiveResourcesInfo().filter((name) => name === 'FSEventWrap').length;
    const before = watchers();
    const s = open();
    expect(watchers()).toBe(before + 1);
    await s.close();
    await waitFor(() => watchers() === before, 'the watcher handle to close');
    await expect(s.put(record(A))).rejects.toThrow(/closed/);
    await writeFile(path, yamlFile(entry(A)));
    expect(await s.get(A)).toBeUndefined();
  });
});
