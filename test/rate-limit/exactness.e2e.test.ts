// Exactness with real processes: two app instances share one Redis; admissions never pass a limit, whatever the load or clocks.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, windowAt, type LimitRule } from '@tollgate/core';
import { deletePrefix, sharedRedisOrSkip, sharedRedisUrl, uniquePrefix } from '../support/redis-server.js';
import { rememberSecret } from '../support/secret-ledger.js';
import { spawnExample, type RunningExample } from '../support/spawn-example.js';

const redisUp = await sharedRedisOrSkip('rate-limit exactness e2e');

describe.runIf(redisUp)('rateLimit exactness across two instances sharing Redis', { timeout: 60_000 }, () => {
  let key: string;
  let record: string;
  let redis: Redis;
  const prefixes: string[] = [];
  let running: RunningExample[] = [];

  beforeAll(async () => {
    const created = await createApiKey({ subject: 'alice', tenantId: 'acme', hash: { memoryCost: 1024, timeCost: 1 } });
    key = created.key;
    record = JSON.stringify(created.record);
    rememberSecret(key);
    redis = new Redis(sharedRedisUrl);
  });
  afterEach(async () => {
    await Promise.all(running.map((app) => app.stop()));
    running = [];
  });
  afterAll(async () => {
    for (const prefix of prefixes) await deletePrefix(sharedRedisUrl, prefix);
    redis.disconnect();
  });

  /** Two instances of the app with the same rules and key prefix (the second with `skewMs` on its local clock). */
  const startPair = async (rules: LimitRule[], extra: { hold?: boolean; skewMs?: number } = {}): Promise<[RunningExample, RunningExample]> => {
    const prefix = uniquePrefix('exact');
    prefixes.push(prefix);
    const env = { TG_REDIS_URL: sharedRedisUrl, TG_PREFIX: prefix, TG_RULES: JSON.stringify(rules), TG_KEY_RECORD: record, TG_HOLD: extra.hold === true ? '1' : '0' };
    const pair = await Promise.all([spawnExample('test', 'rate-limit/limited-app.ts', env), spawnExample('test', 'rate-limit/limited-app.ts', { ...env, TG_CLOCK_SKEW_MS: String(extra.skewMs ?? 0) })]);
    running.push(...pair);
    return pair;
  };
  const chat = (app: RunningExample, maxTokens = 5) =>
    fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }], max_tokens: maxTokens }),
    });
  const counterSum = async (prefix: string, rule: string): Promise<number> => {
    const [, keys] = await redis.scan('0', 'MATCH', `{${prefix}}:c:${rule}|*`, 'COUNT', 10_000);
    const values = keys.length === 0 ? [] : await redis.mget(...keys);
    return values.reduce((sum, v) => sum + Number(v ?? 0), 0);
  };

  it('admits exactly 100 of 500 concurrent requests against a limit of 100, and charges denials nowhere', async () => {
    const rules: LimitRule[] = [
      { name: 'key-100', scope: 'key', unit: 'requests', limit: 100, window: '366d' },
      { name: 'global-10k', scope: 'global', unit: 'requests', limit: 10_000, window: '366d' },
    ];
    const [a, b] = await startPair(rules);
    // One request each first, so both instances have verified the key and take part from the start;
    // unshared counting would then admit up to 100 per instance.
    const warm = await Promise.all([chat(a), chat(b)]);
    const burst = await Promise.all(Array.from({ length: 498 }, (_, i) => chat(i % 2 === 0 ? a : b)));
    const responses = [...warm, ...burst];
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.filter((s) => s === 429)).toHaveLength(400);
    const denied = (await responses.find((r) => r.status === 429)!.json()) as { error: Record<string, unknown> };
    expect(denied.error).toMatchObject({ code: 'rate_limit_exceeded', rule: 'key-100', scope: 'key' });
    expect(await counterSum(prefixes.at(-1)!, 'key-100')).toBe(100);
    expect(await counterSum(prefixes.at(-1)!, 'global-10k')).toBe(100);
  });

  it('never lets concurrent reservations push admitted spend above the cap, then settles to real usage', async () => {
    const [a, b] = await startPair([{ name: 'spend', scope: 'tenant', unit: 'usd', limit: 1, window: 'month' }], { hold: true });
    // Each request may cost 5 prompt tokens at $10/M plus 1000 output tokens at $30/M = $0.03005: 33 fit in $1.
    const pending = Array.from({ length: 200 }, (_, i) => chat(i % 2 === 0 ? a : b, 1000));
    const denied: Response[] = [];
    pending.forEach((p) => void p.then((r) => r.status === 429 && denied.push(r)));
    const admittedNow = async () => (await Promise.all([a, b].map(async (app) => ((await (await fetch(`${app.url}/control/stats`)).json()) as { admitted: number }).admitted))).reduce((x, y) => x + y);
    let admitted = 0;
    for (let waited = 0; admitted + denied.length < 200 && waited < 300; waited++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      admitted = await admittedNow();
    }
    expect(admitted).toBe(33);
    expect(denied).toHaveLength(167);
    const body = (await denied[0]!.json()) as { error: Record<string, unknown> };
    expect(denied[0]!.headers.get('x-should-retry')).toBe('false');
    expect(body.error).toMatchObject({ code: 'insufficient_quota', rule: 'spend', scope: 'tenant' });
    expect(await counterSum(prefixes.at(-1)!, 'spend')).toBe(33 * 30_050_000);
    await Promise.all([a, b].map((app) => fetch(`${app.url}/control/release`, { method: 'POST' })));
    expect((await Promise.all(pending)).filter((r) => r.status === 200)).toHaveLength(33);
    // Settled to real usage: 5 prompt and 5 output tokens each, $0.0002, in nano-dollars.
    await expect.poll(() => counterSum(prefixes.at(-1)!, 'spend'), { timeout: 5_000 }).toBe(33 * 200_000);
  });

  it('agrees on windows when one instance runs three days fast: windows come from the Redis clock', async () => {
    const [a, b] = await startPair([{ name: 'daily', scope: 'key', unit: 'requests', limit: 10, window: 'day' }], { skewMs: 3 * 86_400_000 });
    const responses = [];
    for (let i = 0; i < 30; i++) responses.push(await chat(i % 2 === 0 ? a : b));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(10);
    const resets = await Promise.all(responses.filter((r) => r.status === 429).map(async (r) => ((await r.json()) as { error: { resets_at: string } }).error.resets_at));
    expect(resets).toHaveLength(20);
    expect(new Set(resets).size).toBe(1);
    expect(Date.parse(resets[0]!)).toBe(windowAt({ kind: 'calendar', unit: 'day', timeZone: 'UTC', weekStartsOn: 1 }, Date.now()).end);
  });
});
