// How much: DESIGN.md's 429s (a request limit, and an exhausted spend budget) with every header, through every adapter.
import { expect } from 'vitest';
import { chat, errorOf, jsonHeaders, mintKey } from './contract-keys.js';
import type { Scenario } from '../scenario.js';

export const limitScenarios: readonly Scenario[] = [
  {
    name: 'puts the IETF and OpenAI rate-limit headers on an admitted response',
    async run(target) {
      const { key } = await mintKey(target, { tenantId: 'acme' });
      const res = await fetch(`${target.url}/limits/echo`, { method: 'POST', headers: jsonHeaders(key, target.nextId()), body: chat('gpt-standard') });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-policy')).toBe('"key-rpm";q=2;w=60;qu="requests"');
      expect(res.headers.get('ratelimit')).toMatch(/^"key-rpm";r=1;t=\d+$/);
      expect(res.headers.get('x-ratelimit-limit-requests')).toBe('2');
      expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    },
  },
  {
    name: 'answers 429 over a request limit with Retry-After, retry-after-ms, RateLimit-Policy, RateLimit, x-ratelimit-* and the rule',
    async run(target) {
      const { key } = await mintKey(target, { tenantId: 'acme' });
      const send = () => fetch(`${target.url}/limits/echo`, { method: 'POST', headers: jsonHeaders(key, target.nextId()), body: chat('gpt-standard') });
      for (let i = 0; i < 2; i++) expect((await send()).status).toBe(200);
      const res = await send();
      expect(res.status).toBe(429);
      const retryAfter = Number(res.headers.get('retry-after'));
      const retryAfterMs = Number(res.headers.get('retry-after-ms'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(retryAfterMs).toBeGreaterThan(0);
      expect(retryAfterMs).toBeLessThanOrEqual(60_000);
      expect(retryAfter).toBe(Math.ceil(retryAfterMs / 1000));
      expect(res.headers.get('x-should-retry')).toBe('true');
      expect(res.headers.get('ratelimit-policy')).toBe('"key-rpm";q=2;w=60;qu="requests"');
      expect(res.headers.get('ratelimit')).toMatch(/^"key-rpm";r=0;t=\d+$/);
      expect(res.headers.get('x-ratelimit-limit-requests')).toBe('2');
      expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('0');
      expect(res.headers.get('x-ratelimit-reset-requests')).toMatch(/^(\d+ms|[\d.]+s|1m0s)$/);
      const error = await errorOf(res);
      expect(error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded', tg_code: 'TG_RATE_LIMITED', rule: 'key-rpm' });
      expect(String(error['message'])).toContain('"key-rpm"');
    },
  },
  {
    name: 'answers 429 insufficient_quota with x-should-retry: false when the tenant’s spend budget cannot pay',
    async run(target) {
      const { key } = await mintKey(target, { tenantId: 'broke' });
      const first = await fetch(`${target.url}/limits/echo`, { method: 'POST', headers: jsonHeaders(key, target.nextId()), body: chat('gpt-standard') });
      expect(first.status).toBe(200);
      const id = target.nextId();
      const res = await fetch(`${target.url}/limits/echo`, { method: 'POST', headers: jsonHeaders(key, id), body: chat('gpt-standard') });
      expect(res.status, await res.clone().text()).toBe(429);
      expect(res.headers.get('x-should-retry')).toBe('false');
      expect(res.headers.get('x-request-id')).toBe(id);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      const error = await errorOf(res);
      expect(error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota', tg_code: 'TG_QUOTA_EXHAUSTED', rule: 'tenant-budget' });
      expect(String(error['message'])).toContain('"tenant-budget"');
    },
  },
];
