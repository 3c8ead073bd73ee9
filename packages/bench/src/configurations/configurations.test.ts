// The configurations as data: unique names, a baseline for each, the parts each needs, and --only's selection.
import { describe, expect, it } from 'vitest';
import { selectConfigurations } from '../harness.js';
import { allConfigurations } from './index.js';

const names = allConfigurations.map((c) => c.name);

describe('the configurations', () => {
  it('cover every variant for every framework, plus the three peer stacks, under unique names', () => {
    expect(new Set(names).size).toBe(names.length);
    for (const framework of ['express', 'fastify', 'hono', 'koa']) {
      for (const variant of ['bare', 'api-key', 'full', 'full-jwt', 'full-redis', 'bare-stream', 'full-stream']) expect(names).toContain(`${framework}/${variant}`);
    }
    expect(names.filter((n) => n.includes('/peer-'))).toEqual(['express/peer-passport', 'express/peer-express-jwt', 'fastify/peer-fastify-jwt']);
  });

  it('compare each with a bare route of the same framework that is itself a configuration, streamed with streamed', () => {
    for (const c of allConfigurations) {
      expect(names, c.name).toContain(c.baseline);
      expect(c.baseline.split('/')[0]).toBe(c.framework);
      expect(c.baseline.endsWith('-stream')).toBe(c.stream);
    }
  });

  it('name the parts they need: the adapter for tollgate rows, validateRequest for full chains, Redis for full-redis', () => {
    const labels = (name: string) => allConfigurations.find((c) => c.name === name)!.parts.map((p) => p.label);
    expect(labels('koa/bare')).toEqual([]);
    expect(labels('express/peer-passport')).toEqual([]);
    expect(labels('hono/api-key')).toContain('@tollgate/hono tollgate()');
    expect(labels('fastify/full')).toEqual(expect.arrayContaining(['@tollgate/fastify tollgate()', '@tollgate/core validateRequest()', '@tollgate/core rateLimit()', '@tollgate/core inferenceLog()']));
    expect(labels('express/full-jwt')).toContain('@tollgate/core jwt()');
    expect(labels('koa/full-redis')).toEqual(expect.arrayContaining(['@tollgate/redis redisRateLimitStore()', 'a Redis server at REDIS_URL (default redis://127.0.0.1:6379)']));
  });
});

describe('selectConfigurations', () => {
  it('keeps everything without --only', () => {
    expect(selectConfigurations(allConfigurations, undefined)).toHaveLength(allConfigurations.length);
  });

  it('adds the baselines of what --only matches, in report order', () => {
    expect(selectConfigurations(allConfigurations, /^hono\/full-stream$|koa\/api-key/).map((c) => c.name)).toEqual(['hono/bare-stream', 'hono/full-stream', 'koa/bare', 'koa/api-key']);
    expect(selectConfigurations(allConfigurations, /peer/).map((c) => c.name)).toEqual(['express/bare', 'express/peer-passport', 'express/peer-express-jwt', 'fastify/bare', 'fastify/peer-fastify-jwt']);
    expect(selectConfigurations(allConfigurations, /nothing/)).toEqual([]);
  });
});
