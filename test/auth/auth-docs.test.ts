// The authentication guides stay true: every configuration they show loads and builds a gate.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gate, parseConfig } from '@tollgate/core';

const env = {
  JWT_SECRET: Buffer.alloc(32, 7).toString('base64url'),
  INTROSPECTION_SECRET: 'introspection-secret',
  KEYCLOAK_CLIENT_SECRET: 'keycloak-secret',
};

function yamlBlocks(doc: string): string[] {
  return [...readFileSync(new URL(`../../docs/${doc}`, import.meta.url), 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe('authentication guides', () => {
  for (const [doc, type, count] of [
    ['auth-jwt.md', 'jwt', 6],
    ['auth-introspection.md', 'introspection', 3],
    ['auth-mtls.md', 'mtls', 1],
  ] as const) {
    it(`${doc}: all ${count} configurations load and build a gate`, async () => {
      const blocks = yamlBlocks(doc);
      expect(blocks).toHaveLength(count);
      for (const block of blocks) {
        const options = parseConfig(block, { env, source: doc });
        expect(options.authenticate.methods.map((m) => m.name)).toEqual([type === 'introspection' ? 'oauth_introspection' : type]);
        await gate(options).close();
      }
    });
  }

  it('auth-jwt.md refuses what it says it refuses at startup', () => {
    const base = 'version: 1\nauthenticate:\n  methods:\n    - type: jwt\n      issuer: https://i.example\n      audience: api\n';
    expect(() => parseConfig(`${base}      algorithms: [none]\n      discovery: true\n`, { env })).toThrow(/"none" can never be allowed/);
    expect(() => parseConfig(`${base}      algorithms: [HS256]\n      secret: too-short\n`, { env })).toThrow(/needs at least 32 random bytes/);
    expect(() => parseConfig(`${base}      algorithms: [HS256, RS256]\n      secret: ${'x'.repeat(40)}\n`, { env })).toThrow(/mixes HMAC/);
    expect(() => parseConfig(`${base}      algorithms: [RS256]\n      jwksUri: http://idp.example.com/jwks\n`, { env })).toThrow(/must be an https URL/);
  });
});
