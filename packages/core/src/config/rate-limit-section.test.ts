// The rateLimit section: rules and options from a file become a working step; mistakes are startup errors at their line.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/tollgate-error.js';
import { limitedContext, refusalOf } from '../rate-limit/test-context.js';
import { parse } from 'yaml';
import { parseConfig } from './load-config.js';
import { rateLimitSchema } from './sections/rate-limit.js';
import { rateLimit } from '../rate-limit/rate-limit.js';

const head = 'version: 1\nauthenticate:\n  methods:\n    - type: apiKey\n      store: { type: memory }\n';

describe('config: rateLimit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-rate-limit-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds a working rateLimit step from the file, limits from the environment', async () => {
    const text = `${head}rateLimit:
  timeZone: Europe/Berlin
  lowerMaxTokens: { minimum: 16 }
  storeTimeoutMs: 500
  store: { type: memory }
  rules:
    - name: key-rpm
      scope: key
      unit: requests
      limit: \${RPM}
      window: 1m
      thresholds: [0.5]
    - { name: tenant-spend, scope: [tenant, model], unit: usd, limit: 12.5, window: month, onStoreFailure: fail_closed }
`;
    const options = parseConfig(text, { baseDir: dir, env: { RPM: '2' } });
    const step = options.rateLimit!;
    expect(step.name).toBe('rateLimit');
    const request = () => limitedContext({ tenant: { id: 'acme', status: 'active', tags: [] }, inference: { maxTokens: 10 } });
    expect(await refusalOf(step, request())).toBeUndefined();
    expect(await refusalOf(step, request())).toBeUndefined();
    expect((await refusalOf(step, request()))?.code).toBe('TG_RATE_LIMITED');
    await step.close?.();
  });

  it.each([
    ['limit: 0', 'rateLimit.rules[0].limit: must be above zero'],
    ['limit: -3', 'rateLimit.rules[0].limit: must be above zero'],
    ['limit: 1.5', 'rateLimit.rules[0]: rateLimit.rules[0].limit must be a whole number for unit requests'],
    ['limit: 5, window: 1 minute', 'rateLimit.rules[0]: rateLimit.rules[0].window must be a duration'],
    ['limit: 5, window: 1m, per: hour', 'rateLimit.rules[0]'],
  ])('reports %s at its place in the file', (fields, message) => {
    const text = `${head}rateLimit:\n  rules:\n    - { name: r, scope: key, unit: requests, ${fields.includes('window') ? fields : `${fields}, window: 1m`} }\n`;
    let thrown: unknown;
    try {
      parseConfig(text, { baseDir: dir, env: {}, source: 'tollgate.yaml' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toMatch(/tollgate\.yaml:\d+:\d+ /);
    expect((thrown as Error).message).toContain(message);
  });

  it('refuses at startup a spend rule over a registered model that has no price', () => {
    const models = 'models:\n  gpt-4o-mini: { price: { inputPerMTok: 0.15, outputPerMTok: 0.6 } }\n  local-llama: { contextWindow: 8192 }\n';
    const spend = (filter: string) => `${head}${models}rateLimit:\n  rules:\n    - { name: spend, scope: tenant, unit: usd, limit: 10, window: month${filter} }\n`;
    expect(() => parseConfig(spend(''), { baseDir: dir, env: {}, source: 'tollgate.yaml' })).toThrow(/rateLimit\.rules\[0\]: .*"spend"\) limits spend on the model "local-llama", which has no price/);
    const narrowed = parseConfig(spend(', models: [gpt-*]'), { baseDir: dir, env: {} });
    expect(narrowed.rateLimit?.name).toBe('rateLimit');
    void narrowed.rateLimit?.close?.();
  });

  it('accepts the example of docs/configuration.md', () => {
    const doc = readFileSync(new URL('../../../../docs/configuration.md', import.meta.url), 'utf8');
    const example = /```yml\n(rateLimit:[\s\S]*?)```/.exec(doc)![1]!;
    const interpolated = example.replace('${REDIS_URL:-redis://127.0.0.1:6379}', 'redis://127.0.0.1:6379');
    const section = rateLimitSchema.parse((parse(interpolated) as { rateLimit: unknown }).rateLimit);
    expect(section.store).toEqual({ type: 'redis', url: 'redis://127.0.0.1:6379' });
    const { store: _redis, ...rest } = section;
    expect(rateLimit(rest as Parameters<typeof rateLimit>[0]).name).toBe('rateLimit');
  });

  it('refuses a store URL of the wrong server type at its line', () => {
    for (const [type, url] of [['redis', 'postgres://db/app'], ['postgres', 'redis://127.0.0.1:6379']] as const) {
      const text = `${head}rateLimit:\n  store: { type: ${type}, url: '${url}' }\n  rules: []\n`;
      expect(() => parseConfig(text, { baseDir: dir, env: {}, source: 'tollgate.yaml' })).toThrow(new RegExp(`tollgate\\.yaml:7:\\d+ rateLimit\\.store\\.url: must start with ${type}`));
    }
  });
});
