// The command line: defaults, smoke defaults, and a clear error for each kind of bad input.
import { describe, expect, it } from 'vitest';
import { parseBenchOptions, UsageError } from './cli-options.js';

const parse = (...argv: string[]) => parseBenchOptions(argv, {});

describe('parseBenchOptions', () => {
  it('defaults to a full run that writes docs/benchmarks.md', () => {
    const options = parse();
    expect(options).toMatchObject({ duration: 10, warmup: 10, connections: 50, repeats: 3, smoke: false, upstream: 'http', source: false, micro: true, flood: true, floodRate: 1000, floodValidRate: 200 });
    expect(options.only).toBeUndefined();
    expect(options.out).toMatch(/[/\\]docs[/\\]benchmarks\.md$/);
    expect(options.redisUrl).toBe('redis://127.0.0.1:6379');
  });

  it('makes --smoke short and silent on disk, while explicit values still win', () => {
    expect(parse('--smoke')).toMatchObject({ duration: 1, warmup: 0, connections: 4, repeats: 1, smoke: true, out: undefined });
    expect(parse('--smoke', '--duration', '2', '--out', '/tmp/b.md')).toMatchObject({ duration: 2, out: '/tmp/b.md' });
  });

  it('reads every option, in both --name value and --name=value forms', () => {
    const options = parse('--duration=2.5', '--warmup', '0', '--connections', '8', '--repeats=5', '--only', 'fastify|hono', '--upstream', 'inline', '--source', '--no-micro', '--no-flood', '--flood-rate', '500', '--flood-valid-rate=50', '--no-out', '--redis-url', 'redis://10.0.0.1:6380');
    expect(options).toMatchObject({ duration: 2.5, warmup: 0, connections: 8, repeats: 5, upstream: 'inline', source: true, micro: false, flood: false, floodRate: 500, floodValidRate: 50, out: undefined, redisUrl: 'redis://10.0.0.1:6380' });
    expect(options.only?.test('hono/full')).toBe(true);
    expect(options.only?.test('express/full')).toBe(false);
  });

  it('passes a profile sampling interval on only with a profile directory', () => {
    expect(parse('--cpu-prof', '/tmp/prof', '--cpu-prof-interval', '100')).toMatchObject({ cpuProfileDir: '/tmp/prof', cpuProfileIntervalUs: 100 });
    expect(parse('--cpu-prof', '/tmp/prof').cpuProfileIntervalUs).toBeUndefined();
    expect(() => parse('--cpu-prof-interval', '100')).toThrow('--cpu-prof-interval needs --cpu-prof <dir>');
  });

  it('passes extra Node flags to the app processes, none by default', () => {
    expect(parse().nodeFlags).toEqual([]);
    expect(parse('--node-flags=--no-allocation-site-pretenuring --max-semi-space-size=64').nodeFlags).toEqual(['--no-allocation-site-pretenuring', '--max-semi-space-size=64']);
    expect(parse('--node-flags', '--no-allocation-site-pretenuring').nodeFlags).toEqual(['--no-allocation-site-pretenuring']);
  });

  it('takes the Redis URL from REDIS_URL when no option names one', () => {
    expect(parseBenchOptions([], { REDIS_URL: 'redis://redis.internal:6379' }).redisUrl).toBe('redis://redis.internal:6379');
  });

  it.each([
    [['--duration', '0'], '--duration needs a number from 1 to 3600; got "0"'],
    [['--connections', '2.5'], '--connections needs a whole number from 1 to 10000; got "2.5"'],
    [['--repeats', 'three'], '--repeats needs a whole number from 1 to 100; got "three"'],
    [['--warmup', ''], '--warmup needs a number from 0 to 600; got ""'],
    [['--duration'], '--duration needs a value'],
    [['--upstream', 'tcp'], '--upstream must be http or inline; got "tcp"'],
    [['--only', '(unclosed'], '--only: not a regular expression'],
    [['--fast'], 'unknown option "--fast"'],
    [['fastify'], 'unknown option "fastify"'],
    [['--out', 'x.md', '--no-out'], 'give --out or --no-out, not both'],
    [['--node-flags', ' '], '--node-flags needs at least one flag'],
    [['--node-flags', 'app.js'], '--node-flags takes flags such as --max-semi-space-size=64; got "app.js"'],
    [['--node-flags', '--inspect;rm'], 'got "--inspect;rm"'],
  ])('refuses %j', (argv, message) => {
    expect(() => parse(...argv)).toThrow(UsageError);
    expect(() => parse(...argv)).toThrow(message);
  });
});
