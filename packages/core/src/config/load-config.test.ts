// loadConfig/parseConfig end to end: files to GateOptions to a working gate, relative paths, file errors.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../api-key/create-api-key.js';
import { ConfigError } from '../errors/tollgate-error.js';
import { gate, type GateOptions } from '../gate.js';
import { serializeKeyFile } from '../key-store/key-file-format.js';
import type { RequestInput } from '../request/tg-request.js';
import { loadConfig, parseConfig } from './load-config.js';
import type { ConfiguredApiKeyMethod } from './sections/api-key-method.js';
import { fileStoreOptions } from './sections/key-store.js';

const yamlConfig = `# tollgate config
version: 1
trustProxy: [10.0.0.0/8, 192.168.1.7]
errors: { format: problem, realm: api }
requestId: { header: X-Trace-Id, acceptIncoming: false }
body: { maxBytes: 65536 }
authenticate:
  optional: false
  methods:
    - type: apiKey
      store: { type: file, path: keys/keys.yaml, watch: false }
      headers: [x-api-key, X-Tollgate-Key]
      environments: [live]
      cache: { ttlMs: 5000, maxEntries: 100 }
      argon2: { maxConcurrent: 1, maxQueue: 8 }
      throttle: { perKeyId: { maxFailures: 5, windowMs: 1000 }, perIp: false, maxTracked: 50 }
      storeTimeoutMs: 500
`;

const jsonConfig = JSON.stringify(
  {
    version: 1,
    trustProxy: ['10.0.0.0/8', '192.168.1.7'],
    errors: { format: 'problem', realm: 'api' },
    requestId: { header: 'X-Trace-Id', acceptIncoming: false },
    body: { maxBytes: 65536 },
    authenticate: { optional: false, methods: [{ type: 'apiKey', store: { type: 'file', path: 'keys/keys.yaml', watch: false }, headers: ['x-api-key', 'X-Tollgate-Key'] }] },
  },
  null,
  2,
);

function request(headers: Record<string, string>): RequestInput {
  return { method: 'POST', path: '/v1/chat/completions', headerValues: (name) => (headers[name] === undefined ? [] : [headers[name]]), remoteAddress: '127.0.0.1', body: () => ({ kind: 'none' }) };
}

/** The plain (non-method) sections, which must come through exactly as written. */
const plainSections = (options: GateOptions) => ({ ...options, authenticate: { ...options.authenticate, methods: undefined } });

describe('loadConfig', () => {
  let dir: string;
  let key: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-config-'));
    const created = await createApiKey({ subject: 'alice', tenantId: 'acme', hash: { memoryCost: 1024, timeCost: 1 } });
    key = created.key;
    mkdirSync(join(dir, 'keys'));
    writeFileSync(join(dir, 'keys', 'keys.yaml'), serializeKeyFile([created.record], 'yaml'));
    writeFileSync(join(dir, 'tollgate.yaml'), yamlConfig);
    writeFileSync(join(dir, 'tollgate.json'), jsonConfig);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('turns a YAML file into GateOptions with every section as written', () => {
    const options = loadConfig(join(dir, 'tollgate.yaml'), { env: {} });
    expect(plainSections(options)).toEqual({
      trustProxy: ['10.0.0.0/8', '192.168.1.7'],
      errors: { format: 'problem', realm: 'api' },
      requestId: { header: 'X-Trace-Id', acceptIncoming: false },
      body: { maxBytes: 65536 },
      authenticate: { optional: false, methods: undefined },
    });
    const [method, ...rest] = options.authenticate.methods;
    expect(rest).toEqual([]);
    expect(method?.name).toBe('api_key');
    expect(method?.headers).toEqual(['x-api-key', 'x-tollgate-key']);
  });

  it('reads a JSON file to the same options', () => {
    const fromJson = loadConfig(join(dir, 'tollgate.json'), { env: {} });
    const fromYaml = loadConfig(join(dir, 'tollgate.yaml'), { env: {} });
    expect(plainSections(fromJson)).toEqual(plainSections(fromYaml));
  });

  it('builds a gate that admits a key from the store file, found relative to the config file', async () => {
    // The test runs from the repository root; only the config file's directory leads to keys/keys.yaml.
    expect(process.cwd()).not.toBe(dir);
    const tg = gate(loadConfig(join(dir, 'tollgate.yaml'), { env: {} }));
    try {
      const good = tg.start(request({ 'x-tollgate-key': key }));
      expect(await tg.run(good)).toBeUndefined();
      expect(good.context.principal?.subject).toBe('alice');
      const bad = tg.start(request({ authorization: `Bearer ${key.slice(0, -1)}x` }));
      const refused = await tg.run(bad);
      expect(refused?.status).toBe(401);
      // errors.format and requestId.header from the file are in force.
      expect(refused?.headers['content-type']).toContain('application/problem+json');
      expect(Object.keys(refused?.headers ?? {})).toContain('x-trace-id');
    } finally {
      await tg.close();
    }
  });

  it('resolves a relative store path against baseDir, and keeps an absolute one', () => {
    expect(fileStoreOptions({ type: 'file', path: 'keys/keys.yaml' }, '/etc/tollgate')).toEqual({ path: '/etc/tollgate/keys/keys.yaml' });
    expect(fileStoreOptions({ type: 'file', path: '/srv/keys.json', watch: false }, '/etc/tollgate')).toEqual({ path: '/srv/keys.json', watch: false });
  });

  it('parseConfig resolves against the baseDir it is given', async () => {
    const tg = gate(parseConfig(yamlConfig, { baseDir: dir, env: {}, source: 'inline' }));
    try {
      const handle = tg.start(request({ 'x-api-key': key }));
      expect(await tg.run(handle)).toBeUndefined();
      expect(handle.context.principal?.tenantId).toBe('acme');
    } finally {
      await tg.close();
    }
  });

  it('returns fresh objects on every call and does not touch the env it was given', () => {
    const env = Object.freeze({ UNUSED: 'x' });
    const first = loadConfig(join(dir, 'tollgate.yaml'), { env });
    const second = loadConfig(join(dir, 'tollgate.yaml'), { env });
    expect(first.errors).not.toBe(second.errors);
    expect(first.trustProxy).not.toBe(second.trustProxy);
    expect(env).toEqual({ UNUSED: 'x' });
  });

  it('names a missing file, and refuses an extension that does not say the format', () => {
    expect(() => loadConfig(join(dir, 'nope.yaml'))).toThrow(ConfigError);
    expect(() => loadConfig(join(dir, 'nope.yaml'))).toThrow(/Cannot read config file .*nope\.yaml: no such file/);
    writeFileSync(join(dir, 'tollgate.conf'), yamlConfig);
    expect(() => loadConfig(join(dir, 'tollgate.conf'))).toThrow(/must end in \.yaml, \.yml or \.json/);
    expect(loadConfig(join(dir, 'tollgate.conf'), { format: 'yaml', env: {} }).body).toEqual({ maxBytes: 65536 });
  });

  it('reports a bad key file at the store path of the config, with the key file named', () => {
    writeFileSync(join(dir, 'broken.yaml'), 'keys:\n  - id: nope\n');
    const config = 'version: 1\nauthenticate:\n  methods:\n    - type: apiKey\n      store: { type: file, path: broken.yaml, watch: false }\n';
    writeFileSync(join(dir, 'broken-config.yaml'), config);
    const path = join(dir, 'broken-config.yaml');
    expect(() => loadConfig(path)).toThrow(ConfigError);
    expect(() => loadConfig(path)).toThrow(`${path}:5:34 authenticate.methods[0].store.path: `);
    expect(() => loadConfig(path)).toThrow(/broken\.yaml/);
  });

  it('gives a memory store to the app through the built method, to add keys in code', async () => {
    const options = parseConfig('version: 1\nauthenticate:\n  methods:\n    - { type: apiKey, store: { type: memory } }\n', { env: {} });
    const method = options.authenticate.methods[0] as ConfiguredApiKeyMethod;
    const created = await createApiKey({ subject: 'bob', hash: { memoryCost: 1024, timeCost: 1 } });
    await method.store.put(created.record);
    const tg = gate(options);
    try {
      const handle = tg.start(request({ 'x-api-key': created.key }));
      expect(await tg.run(handle)).toBeUndefined();
      expect(handle.context.principal?.subject).toBe('bob');
    } finally {
      await tg.close();
    }
  });

  it('closes the key stores it built when the gate closes', async () => {
    const options = loadConfig(join(dir, 'tollgate.yaml'), { env: {} });
    const { store } = options.authenticate.methods[0] as ConfiguredApiKeyMethod;
    await gate(options).close();
    await expect(store.delete('nothing')).rejects.toThrow(/closed/);
  });
});
