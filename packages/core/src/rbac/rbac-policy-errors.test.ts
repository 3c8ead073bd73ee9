// Bad RBAC policies fail at startup with one ConfigError whose lines point at each mistake.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/tollgate-error.js';
import { rbac } from './rbac.js';
import { readRbacPolicyObject, readRbacPolicyText } from './read-rbac-policy.js';

/** The problem lines of the ConfigError reading `text` throws (fails the test if nothing is thrown). */
function problems(text: string, format: 'yaml' | 'json' = 'yaml'): string[] {
  try {
    readRbacPolicyText(text, format, 'policy.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const [header, ...lines] = (error as Error).message.split('\n');
    expect(header).toBe(`Invalid RBAC policy in policy.yaml (${lines.length === 1 ? '1 problem' : `${lines.length} problems`}):`);
    return lines.map((line) => line.trim());
  }
  throw new Error('expected a ConfigError');
}

const chat = 'permissions:\n  chat:\n    actions: [inference:chat]\n';

describe('RBAC policy errors', () => {
  it('accepts a small valid policy', () => {
    expect(() => readRbacPolicyText(`roles:\n  analyst:\n    permissions: [chat]\n${chat}`, 'yaml', 'policy.yaml')).not.toThrow();
  });

  it('points an unknown field at its line, listing the known ones', () => {
    expect(problems(`roles:\n  analyst:\n    permissions: [chat]\n    inherit: [x]\n${chat}`)).toEqual([
      'policy.yaml:4:5 roles.analyst.inherit: unknown key "inherit"; expected one of: inherits, permissions',
    ]);
    expect(problems(`roles: {}\npermissions:\n  chat:\n    actions: [inference:chat]\n    modles: { names: [gpt-4o] }\n`)).toEqual([
      'policy.yaml:5:5 permissions.chat.modles: unknown key "modles"; expected one of: actions, constraints, environments, models, tenants',
    ]);
    expect(problems(`roles: {}\nrole: {}\n`)).toEqual(['policy.yaml:2:1 role: unknown key "role"; expected one of: actions, forbid, permissions, roles']);
  });

  it('reports every inheritance cycle once, at the edge that closes it', () => {
    const text = 'roles:\n  a:\n    inherits: [b]\n  b:\n    inherits: [c]\n  c:\n    inherits: [a]\n  d:\n    inherits: [d]\n  e:\n    inherits: [a]\n';
    expect(problems(text)).toEqual([
      'policy.yaml:7:16 roles.c.inherits[0]: role inheritance cycle: a -> b -> c -> a',
      'policy.yaml:9:16 roles.d.inherits[0]: role inheritance cycle: d -> d',
    ]);
  });

  it('refuses references to nothing: roles, permissions, exempt roles, and actions no one knows', () => {
    const text = [
      'roles:',
      '  analyst:',
      '    permissions: [chat, nope]',
      '    inherits: [ghost]',
      'permissions:',
      '  chat:',
      '    actions: [inference:chta, inference:*]',
      'forbid:',
      '  staging:',
      "    models: { tags: ['env:staging'] }",
      '    exceptRoles: [qaa]',
      '  everything:',
      '    message: no',
      '',
    ].join('\n');
    expect(problems(text)).toEqual([
      'policy.yaml:3:25 roles.analyst.permissions[1]: permission "nope" is not defined under permissions',
      'policy.yaml:4:16 roles.analyst.inherits[0]: role "ghost" is not defined under roles',
      expect.stringMatching(/^policy\.yaml:7:15 permissions\.chat\.actions\[0\]: names no known action; known: inference:chat, .* \(declare others under "actions"\)$/),
      'policy.yaml:11:19 forbid.staging.exceptRoles[0]: role "qaa" is not defined under roles',
      'policy.yaml:13:5 forbid.everything: must say what it forbids: actions, models, environments or tenants',
    ]);
  });

  it('accepts actions the policy declares, and checks their names', () => {
    expect(() => readRbacPolicyText('actions: [reports:read]\nroles: {}\npermissions:\n  r:\n    actions: [reports:*]\n', 'yaml', 'p')).not.toThrow();
    expect(problems('actions: [reports read]\nroles: {}\n')).toEqual([
      'policy.yaml:1:11 actions[0]: must be an action name: segments of letters, digits, "_", "." or "-" joined by ":"',
    ]);
  });

  it('refuses empty lists, bad constraint values, unknown placeholders and contradictions', () => {
    const text = [
      'roles: {}',
      'permissions:',
      '  p:',
      '    actions: []',
      '  q:',
      '    actions: [inference:chat]',
      "    models: { names: ['x-{tenantid}'] }",
      '    constraints: { maxTokens: 0, stream: yes }',
      '',
    ].join('\n');
    expect(problems(text)).toEqual([
      'policy.yaml:4:14 permissions.p.actions: must list at least one name or pattern',
      'policy.yaml:8:31 permissions.q.constraints.maxTokens: must be a whole number of at least 1',
      'policy.yaml:8:42 permissions.q.constraints.stream: expected true or false, got a string',
    ]);
    expect(problems(`roles: {}\npermissions:\n  q:\n    actions: [inference:chat]\n    models: { names: ['x-{tenantid}'] }\n`)).toEqual([
      'policy.yaml:5:23 permissions.q.models.names[0]: unknown placeholder {tenantid}; only {tenant} is defined',
    ]);
    expect(problems('roles: {}\nforbid:\n  f:\n    models: {}\n')).toEqual(['policy.yaml:4:13 forbid.f.models: needs names or tags']);
    expect(problems('roles: {}\nforbid:\n  f:\n    models: { names: [a] }\n    conceal: true\n    fallback: b\n')).toEqual([
      'policy.yaml:6:15 forbid.f.fallback: a rule cannot both conceal the model and route to a fallback',
    ]);
    expect(problems('roles:\n  "bad id": {}\n')).toEqual(['policy.yaml:2:3 roles.bad id: ids must be 1-128 letters, digits, "_", ".", ":" or "-"']);
  });

  it('names syntax errors and empty files', () => {
    expect(problems('roles:\n\tanalyst: {}\n')[0]).toMatch(/^policy\.yaml:2:1 YAML syntax: /);
    expect(problems('roles: {}\nroles: {}\n')).toEqual(['policy.yaml:2:1 duplicate key "roles"']);
    expect(problems('')).toEqual(['policy.yaml:1:1 the policy is empty; it needs at least roles']);
    expect(problems('{\n  "roles": {},\n  "permissions": { "p": { "actions": "inference:chat" } }\n}', 'json')).toEqual([
      'policy.yaml:3:38 permissions.p.actions: expected a list, got a string',
    ]);
  });

  it('names paths (no lines) for a policy given as an object', () => {
    expect(() => readRbacPolicyObject({ roles: { a: { inherits: ['a'] } } })).toThrow(
      'Invalid RBAC policy in rbac({ policy }) (1 problem):\n  rbac({ policy }) roles.a.inherits[0]: role inheritance cycle: a -> a',
    );
  });

  describe('rbac() at startup', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-rbac-errors-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('throws the file’s problems with its path, and refuses bad options', () => {
      const file = join(dir, 'policy.yaml');
      writeFileSync(file, 'roles:\n  a:\n    permissions: [missing]\n');
      expect(() => rbac({ file, watch: false })).toThrow(`${file}:3:19 roles.a.permissions[0]: permission "missing" is not defined under permissions`);
      expect(() => rbac({ file: join(dir, 'absent.yaml') })).toThrow('Cannot read RBAC policy file');
      expect(() => rbac({ file: join(dir, 'policy.txt') })).toThrow('must end in .yaml, .yml or .json');
      expect(() => rbac({})).toThrow('exactly one of options.file and options.policy');
      expect(() => rbac({ file, policy: { roles: {} } })).toThrow('exactly one of options.file and options.policy');
    });
  });
});
