// The apiKey section: its mapping to ApiKeyOptions, and limits that agree with apiKey()'s own checks.
import { describe, expect, it } from 'vitest';
import { apiKey } from '../api-key/api-key.js';
import { ConfigError } from '../errors/tollgate-error.js';
import { memoryKeyStore } from '../key-store/memory-key-store.js';
import { apiKeyMethodSchema, toApiKeyOptions, type ApiKeyMethodConfig } from './sections/api-key-method.js';

describe('toApiKeyOptions', () => {
  it('passes every configured field through, with the store it is given', () => {
    const store = memoryKeyStore();
    const config = apiKeyMethodSchema.parse({
      type: 'apiKey',
      store: { type: 'memory' },
      headers: ['x-api-key', 'X-Tollgate-Key'],
      environments: ['live', 'test'],
      cache: { ttlMs: 30_000, maxEntries: 10_000 },
      argon2: { maxConcurrent: 2, maxQueue: 64 },
      throttle: { perKeyId: { maxFailures: 10, windowMs: 60_000 }, perIp: false, maxTracked: 100_000 },
      storeTimeoutMs: 2_000,
    });
    const options = toApiKeyOptions(config, store);
    expect(options).toEqual({
      store,
      headers: ['x-api-key', 'X-Tollgate-Key'],
      environments: ['live', 'test'],
      cache: { ttlMs: 30_000, maxEntries: 10_000 },
      argon2: { maxConcurrent: 2, maxQueue: 64 },
      throttle: { perKeyId: { maxFailures: 10, windowMs: 60_000 }, perIp: false, maxTracked: 100_000 },
      storeTimeoutMs: 2_000,
    });
    expect(options.store).toBe(store);
    // Fresh objects: changing the options cannot reach back into the parsed config.
    expect(options.headers).not.toBe(config.headers);
    expect(options.throttle?.perKeyId).not.toBe(config.throttle?.perKeyId);
  });

  it('invents nothing: absent fields stay absent so apiKey() applies its own defaults', () => {
    const store = memoryKeyStore();
    expect(toApiKeyOptions({ type: 'apiKey', store: { type: 'memory' } }, store)).toEqual({ store });
    expect(toApiKeyOptions({ type: 'apiKey', store: { type: 'memory' }, throttle: { perIp: { maxFailures: 3, windowMs: 10 } } }, store)).toEqual({
      store,
      throttle: { perIp: { maxFailures: 3, windowMs: 10 } },
    });
  });
});

type Setter = (n: number) => Partial<ApiKeyMethodConfig>;

// Every numeric field with the range apiKey() enforces (api-key/api-key.ts).
const ranges: [string, Setter, number, number][] = [
  ['cache.ttlMs', (n) => ({ cache: { ttlMs: n } }), 1, 3_600_000],
  ['cache.maxEntries', (n) => ({ cache: { maxEntries: n } }), 1, 10_000_000],
  ['argon2.maxConcurrent', (n) => ({ argon2: { maxConcurrent: n } }), 1, 64],
  ['argon2.maxQueue', (n) => ({ argon2: { maxQueue: n } }), 0, 100_000],
  ['throttle.maxTracked', (n) => ({ throttle: { maxTracked: n } }), 1, 10_000_000],
  ['throttle.perKeyId.maxFailures', (n) => ({ throttle: { perKeyId: { maxFailures: n, windowMs: 1000 } } }), 1, 1_000_000],
  ['throttle.perKeyId.windowMs', (n) => ({ throttle: { perKeyId: { maxFailures: 1, windowMs: n } } }), 1, 86_400_000],
  ['throttle.perIp.maxFailures', (n) => ({ throttle: { perIp: { maxFailures: n, windowMs: 1000 } } }), 1, 1_000_000],
  ['throttle.perIp.windowMs', (n) => ({ throttle: { perIp: { maxFailures: 1, windowMs: n } } }), 1, 86_400_000],
  ['storeTimeoutMs', (n) => ({ storeTimeoutMs: n }), 1, 60_000],
];

const configAccepts = (fields: Partial<ApiKeyMethodConfig>): boolean =>
  apiKeyMethodSchema.safeParse({ type: 'apiKey', store: { type: 'memory' }, ...fields }).success;

function apiKeyAccepts(fields: Partial<ApiKeyMethodConfig>): boolean {
  try {
    void apiKey(toApiKeyOptions({ type: 'apiKey', store: { type: 'memory' }, ...fields }, memoryKeyStore())).close?.();
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return false;
  }
}

describe('the config and apiKey() agree on what is valid', () => {
  for (const [name, set, min, max] of ranges) {
    it(`${name}: ${min}..${max}`, () => {
      for (const [value, valid] of [[min, true], [max, true], [min - 1, false], [max + 1, false], [min + 0.5, false]] as const) {
        expect({ value, config: configAccepts(set(value)) }).toEqual({ value, config: valid });
        expect({ value, apiKey: apiKeyAccepts(set(value)) }).toEqual({ value, apiKey: valid });
      }
    });
  }

  it('headers and environments', () => {
    const cases: [Partial<ApiKeyMethodConfig>, boolean][] = [
      [{ headers: ['X-Key'] }, true],
      [{ headers: ['authorization'] }, false],
      [{ headers: ['Authorization'] }, false],
      [{ headers: ['bad header'] }, false],
      [{ environments: ['live', 'test2'] }, true],
      [{ environments: ['LIVE'] }, false],
      [{ environments: ['a'.repeat(17)] }, false],
      [{ environments: [''] }, false],
    ];
    for (const [fields, valid] of cases) {
      expect({ fields, config: configAccepts(fields) }).toEqual({ fields, config: valid });
      expect({ fields, apiKey: apiKeyAccepts(fields) }).toEqual({ fields, apiKey: valid });
    }
  });
});
