// How config mistakes are reported: one ConfigError, one `file:line:col path: message` line per problem.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/tollgate-error.js';
import type { ConfigFormat } from './config-source.js';
import { readConfig } from './read-config.js';

/** The problem lines of the ConfigError that reading `text` throws (fails the test if nothing is thrown). */
function problems(text: string, format: ConfigFormat = 'yaml'): string[] {
  try {
    readConfig(text, { format, source: `tollgate.${format}`, env: {} });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const [header, ...lines] = (error as ConfigError).message.split('\n');
    expect(header).toBe(`Invalid configuration in tollgate.${format} (${lines.length === 1 ? '1 problem' : `${lines.length} problems`}):`);
    return lines.map((line) => line.trim());
  }
  throw new Error('expected a ConfigError');
}

const auth = 'authenticate:\n  methods:\n    - type: apiKey\n      store: { type: memory }\n';

describe('config errors', () => {
  it('accepts the smallest valid file', () => {
    expect(readConfig(`version: 1\n${auth}`, { env: {} }).config).toEqual({ version: 1, authenticate: { methods: [{ type: 'apiKey', store: { type: 'memory' } }] } });
  });

  it('points an unknown key at its own line and column, and lists the known keys', () => {
    expect(problems(`version: 1\nerrors:\n  format: openai\n  relm: api\n${auth}`)).toEqual([
      'tollgate.yaml:4:3 errors.relm: unknown key "relm"; expected one of: format, realm',
    ]);
    expect(problems(`version: 1\n${auth}      cahce: { ttlMs: 5 }\n`)).toEqual([
      'tollgate.yaml:6:7 authenticate.methods[0].cahce: unknown key "cahce"; expected one of: argon2, cache, environments, headers, store, storeTimeoutMs, throttle, type',
    ]);
  });

  it('names the path and what was expected for a wrong type', () => {
    expect(problems(`version: 1\nbody: { maxBytes: "1024" }\n${auth}`)).toEqual(['tollgate.yaml:2:19 body.maxBytes: expected a whole number, got a string']);
    expect(problems(`version: 1\nrequestId: { acceptIncoming: yes }\n${auth}`)).toEqual(['tollgate.yaml:2:30 requestId.acceptIncoming: expected true or false, got a string']);
    expect(problems(`version: 1\nauthenticate: { methods: apiKey }\n`)).toEqual(['tollgate.yaml:2:26 authenticate.methods: expected a list, got a string']);
  });

  it('lists several problems together, in file order', () => {
    const text = `version: 2\nerrors: { format: xml }\nbody: { maxBytes: 0 }\nauthenticate:\n  methods:\n    - type: saml\n    - type: apiKey\n      store: { type: file }\n      argon2: { maxConcurrent: 65 }\n`;
    expect(problems(text)).toEqual([
      'tollgate.yaml:1:10 version: must be 1 (the only format version so far)',
      'tollgate.yaml:2:19 errors.format: must be one of "openai", "problem"',
      'tollgate.yaml:3:19 body.maxBytes: must be a whole number of at least 1',
      'tollgate.yaml:6:13 authenticate.methods[0].type: must be one of "apiKey", "jwt", "introspection", "mtls"',
      'tollgate.yaml:8:14 authenticate.methods[1].store.path: is required',
      'tollgate.yaml:9:32 authenticate.methods[1].argon2.maxConcurrent: must be a whole number from 1 to 64',
    ]);
  });

  it('reports required sections as required, at the nearest place that exists', () => {
    expect(problems('version: 1\n')).toEqual(['tollgate.yaml:1:1 authenticate: is required']);
    expect(problems(`${auth}`)).toEqual(['tollgate.yaml:1:1 version: is required']);
    expect(problems('version: 1\nauthenticate: { methods: [] }\n')).toEqual(['tollgate.yaml:2:26 authenticate.methods: must list at least one method']);
    expect(problems('')).toEqual(['tollgate.yaml:1:1 (root): the file is empty; it needs at least version and authenticate']);
  });

  it('explains trustProxy by the form that was meant', () => {
    expect(problems(`version: 1\ntrustProxy: 40\n${auth}`)).toEqual(['tollgate.yaml:2:13 trustProxy: must be a whole number from 0 to 32']);
    expect(problems(`version: 1\ntrustProxy: [10.0.0.0/8, 10.0.0.0/99]\n${auth}`)).toEqual([
      'tollgate.yaml:2:26 trustProxy[1]: must be an IP address or a CIDR block such as 10.0.0.0/8 or fd00::/8',
    ]);
    expect(problems(`version: 1\ntrustProxy: { hops: 1, cidrs: [10.0.0.0/8] }\n${auth}`)).toEqual(['tollgate.yaml:2:13 trustProxy: needs exactly one of hops or cidrs']);
    expect(problems(`version: 1\ntrustProxy: true\n${auth}`)).toEqual([
      'tollgate.yaml:2:13 trustProxy: must be false, a hop count from 0 to 32, a list of CIDR blocks, or { hops | cidrs, header }',
    ]);
  });

  it('refuses duplicate keys in YAML and in JSON', () => {
    expect(problems(`version: 1\nerrors:\n  realm: a\n  realm: b\n${auth}`)).toEqual(['tollgate.yaml:4:3 duplicate key "realm"']);
    // 1 and "1" are different YAML keys but the same JS property.
    expect(problems(`version: 1\n1: a\n"1": b\n${auth}`)).toEqual(['tollgate.yaml:3:1 duplicate key "1"']);
    expect(problems('{\n  "version": 1,\n  "version": 1\n}', 'json')).toEqual(['tollgate.json:3:3 version: duplicate key "version"']);
  });

  it('names the line of a YAML syntax error', () => {
    const [line, ...rest] = problems(`version: 1\nerrors: { format: openai\nbody: {}\n${auth}`);
    expect(rest).toEqual([]);
    expect(line).toMatch(/^tollgate\.yaml:3:\d+ YAML syntax: /);
    expect(problems(`version: 1\n${auth}errors:\n\trealm: api\n`)).toEqual(['tollgate.yaml:7:1 YAML syntax: Tabs are not allowed as indentation']);
  });

  it('parses JSON strictly and names the line of a syntax error', () => {
    expect(problems('{\n  "version": 1,\n}', 'json')).toEqual(['tollgate.json:3:1 JSON syntax: expected a key in double quotes, found "}"']);
    expect(problems("{\n  'version': 1\n}", 'json')).toEqual([`tollgate.json:2:3 JSON syntax: expected a key in double quotes, found "'"`]);
    expect(problems('{\n  "version": 1 // one\n}', 'json')).toEqual(['tollgate.json:2:16 JSON syntax: expected "," or "}", found "/"']);
    expect(problems('{"version": 01}', 'json')).toEqual(['tollgate.json:1:14 JSON syntax: expected "," or "}", found "1"']);
    expect(problems('{"version": 1', 'json')).toEqual(['tollgate.json:1:14 JSON syntax: expected "," or "}", found the end of the file']);
  });

  it('locates JSON fields like YAML ones', () => {
    const text = JSON.stringify({ version: 1, errors: { realm: 'a"b' }, authenticate: { methods: [{ type: 'apiKey', store: { type: 'memory' }, extra: 1 }] } }, null, 2);
    expect(problems(text, 'json')).toEqual([
      `tollgate.json:4:14 errors.realm: must be printable ASCII without '"' or '\\'`,
      'tollgate.json:13:9 authenticate.methods[0].extra: unknown key "extra"; expected one of: argon2, cache, environments, headers, store, storeTimeoutMs, throttle, type',
    ]);
  });

  it('treats a __proto__ key as an unknown key, in both formats', () => {
    expect(problems(`version: 1\n__proto__: { polluted: true }\n${auth}`)[0]).toMatch(/^tollgate\.yaml:2:1 __proto__: unknown key "__proto__"/);
    expect(problems('{"version": 1, "__proto__": {"polluted": true}}', 'json')).toContain(
      'tollgate.json:1:16 __proto__: unknown key "__proto__"; expected one of: authenticate, authorize, body, errors, inferenceLog, models, rateLimit, requestId, resolveTenant, tenants, trustProxy, validateRequest, version',
    );
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
