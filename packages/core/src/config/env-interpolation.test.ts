// `${VAR}` interpolation: the string rules, and how it meets the schema (conversion, errors, injection).
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/tollgate-error.js';
import type { ConfigFormat } from './config-source.js';
import { interpolateString } from './env-interpolation.js';
import { readConfig } from './read-config.js';

const auth = 'authenticate:\n  methods:\n    - type: apiKey\n      store: { type: memory }\n';
const read = (text: string, env: Record<string, string | undefined>, format: ConfigFormat = 'yaml') => readConfig(text, { env, format, source: 'tollgate.yaml' }).config;

function errorOf(text: string, env: Record<string, string | undefined>): string {
  try {
    read(text, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('interpolateString', () => {
  it('substitutes a variable that is set', () => {
    expect(interpolateString('redis://${HOST}:6379', { HOST: 'cache' })).toEqual({ text: 'redis://cache:6379', substituted: true });
    expect(interpolateString('${A}${B}', { A: 'x', B: 'y' })).toEqual({ text: 'xy', substituted: true });
  });

  it('uses the default when the variable is unset or empty, like the shell', () => {
    expect(interpolateString('${HOST:-localhost}', {})).toEqual({ text: 'localhost', substituted: true });
    expect(interpolateString('${HOST:-localhost}', { HOST: '' })).toEqual({ text: 'localhost', substituted: true });
    expect(interpolateString('${HOST:-}', {})).toEqual({ text: '', substituted: true });
    expect(interpolateString('${HOST}', { HOST: '' })).toEqual({ text: '', substituted: true });
    expect(interpolateString('${HOST:-a:-b}', {})).toEqual({ text: 'a:-b', substituted: true });
  });

  it('names a missing variable without a default', () => {
    expect(interpolateString('x ${MISSING} y', {})).toEqual({ error: 'environment variable MISSING is not set (write ${MISSING:-default} to give a default)' });
  });

  it('keeps $${ as a literal ${ and leaves other dollars alone', () => {
    expect(interpolateString('$${HOST}', { HOST: 'cache' })).toEqual({ text: '${HOST}', substituted: false });
    expect(interpolateString('cost $5, $HOST, $$', { HOST: 'cache' })).toEqual({ text: 'cost $5, $HOST, $$', substituted: false });
    expect(interpolateString('$${A} ${A}', { A: 'x' })).toEqual({ text: '${A} x', substituted: true });
  });

  it('refuses malformed references', () => {
    expect(interpolateString('${1X}', { '1X': 'v' })).toHaveProperty('error', expect.stringContaining('"${1X}", which is not ${NAME}'));
    expect(interpolateString('${A', { A: 'v' })).toHaveProperty('error', expect.stringContaining('not closed'));
    expect(interpolateString('${}', {})).toHaveProperty('error');
  });

  it('does not re-interpolate what a variable contains', () => {
    expect(interpolateString('${A}', { A: '${B}', B: 'no' })).toEqual({ text: '${B}', substituted: true });
  });
});

describe('interpolation in a config', () => {
  it('fills string fields from the environment, in YAML and JSON', () => {
    const yaml = read(`version: 1\nerrors: { realm: "\${REALM}" }\n${auth}`, { REALM: 'acme' });
    expect(yaml.errors).toEqual({ realm: 'acme' });
    const json = read(JSON.stringify({ version: 1, errors: { realm: '${REALM:-fallback}' }, authenticate: { methods: [{ type: 'apiKey', store: { type: 'memory' } }] } }), {}, 'json');
    expect(json.errors).toEqual({ realm: 'fallback' });
  });

  it('turns an interpolated string into the number or boolean the schema wants there', () => {
    const config = read(`version: 1\ntrustProxy: \${HOPS}\nbody:\n  maxBytes: \${MAX:-1024}\nrequestId:\n  acceptIncoming: \${ACCEPT}\nerrors:\n  realm: \${REALM}\n${auth}`, {
      HOPS: '2',
      ACCEPT: 'false',
      REALM: '123',
    });
    expect(config.trustProxy).toBe(2);
    expect(config.body).toEqual({ maxBytes: 1024 });
    expect(config.requestId).toEqual({ acceptIncoming: false });
    // realm takes a string, so digits stay a string.
    expect(config.errors).toEqual({ realm: '123' });
    expect(read(`version: 1\ntrustProxy: \${TRUST}\n${auth}`, { TRUST: 'false' }).trustProxy).toBe(false);
  });

  it('never converts a value written in the file', () => {
    expect(errorOf(`version: 1\nbody:\n  maxBytes: "1024"\n${auth}`, {})).toContain('tollgate.yaml:3:13 body.maxBytes: expected a whole number, got a string');
  });

  it('reports a missing variable with its field path and line, alongside other problems', () => {
    const message = errorOf(`version: 1\nerrors:\n  realm: \${REALM}\nbody: { maxBytes: 0 }\n${auth}`, {});
    expect(message.split('\n').slice(1)).toEqual([
      '  tollgate.yaml:3:10 errors.realm: environment variable REALM is not set (write ${REALM:-default} to give a default)',
      '  tollgate.yaml:4:19 body.maxBytes: must be a whole number of at least 1',
    ]);
  });

  it('never prints the value of a variable, even when it is wrong', () => {
    const secret = 'hunter2-not-a-number';
    const message = errorOf(`version: 1\nbody:\n  maxBytes: \${MAX}\nerrors:\n  realm: \${REALM}\n${auth}`, { MAX: secret, REALM: `"${secret}` });
    expect(message).toContain('body.maxBytes: expected a whole number, got a string');
    expect(message).toContain('errors.realm: must be printable ASCII');
    expect(message).not.toContain('hunter2');
  });

  it('keeps $${ literal in a config value', () => {
    const config = read(`version: 1\nauthenticate:\n  methods:\n    - type: apiKey\n      store: { type: file, path: "/keys/$\${X}.yaml" }\n`, { X: 'no' });
    expect((config.authenticate.methods[0] as { store?: unknown } | undefined)?.store).toEqual({ type: 'file', path: '/keys/${X}.yaml' });
  });

  it('cannot inject YAML structure: a value with newlines stays one plain string', () => {
    const evil = '\n  evil: true\n  type: memory';
    const config = read(`version: 1\nauthenticate:\n  methods:\n    - type: apiKey\n      store:\n        type: file\n        path: /keys\${X}.yaml\n`, { X: evil });
    expect((config.authenticate.methods[0] as { store?: unknown } | undefined)?.store).toEqual({ type: 'file', path: `/keys${evil}.yaml` });
    // Where a newline is not allowed the value is refused as a value, not parsed as keys.
    const message = errorOf(`version: 1\nerrors:\n  realm: \${X}\n${auth}`, { X: evil });
    expect(message.split('\n').slice(1)).toEqual(['  tollgate.yaml:3:10 errors.realm: must be printable ASCII without \'"\' or \'\\\'']);
  });

  it('does not interpolate keys', () => {
    expect(errorOf(`version: 1\n\${KEY}: 1\n${auth}`, { KEY: 'body' })).toContain('tollgate.yaml:2:1 ${KEY}: unknown key "${KEY}"');
  });
});
