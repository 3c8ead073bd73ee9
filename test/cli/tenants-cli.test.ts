// `tollgate tenants …` against files, Redis and PostgreSQL: create, list, suspend, resume, set-limits, exit codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliStores, tollgate, workDir, type CliStore } from './cli-fixture.js';

const work = await workDir();
const stores = await cliStores(work.dir, 'tenants');
afterAll(() => work.remove());

for (const { name, make } of stores) {
  describe(`tollgate tenants on ${name}`, () => {
    let store: CliStore;
    const run = (...args: string[]) => tollgate([...args, ...store.args], work.dir);
    beforeAll(async () => {
      store = await make();
    });
    afterAll(() => store.cleanup());

    it('creates tenants and lists them in id order, as text and JSON', async () => {
      const acme = await run('tenants', 'create', 'acme', '--tier', 'pro', '--tag', 'eu', '--tag', 'beta', '--limits', '{"requestsPerMinute": 60}');
      expect(acme.code, acme.err).toBe(0);
      expect(acme.out).toContain('Created tenant acme.');
      expect((await run('tenants', 'create', 'globex', '--suspended', '--budget', '{"usd": 500}')).code).toBe(0);
      const listed = await run('tenants', 'list');
      expect(listed.out.split('\n')[0]).toMatch(/^ID\s+STATUS\s+TIER\s+TAGS\s+LIMITS\s+BUDGET$/);
      expect(listed.out).toMatch(/acme\s+active\s+pro\s+eu, beta\s+\{"requestsPerMinute":60\}\s+-/);
      expect(listed.out).toMatch(/globex\s+suspended\s+-\s+-\s+-\s+\{"usd":500\}/);
      expect(JSON.parse((await run('tenants', 'list', '--status', 'suspended', '--json')).out)).toEqual([{ id: 'globex', status: 'suspended', tags: [], budget: { usd: 500 } }]);
    });

    it('refuses a tenant that exists, with exit code 1', async () => {
      await run('tenants', 'create', 'initech');
      expect(await run('tenants', 'create', 'initech', '--tier', 'free')).toMatchObject({ code: 1, err: expect.stringContaining('tenant "initech" exists already') });
    });

    it('suspends and resumes', async () => {
      await run('tenants', 'create', 'umbrella');
      expect(JSON.parse((await run('tenants', 'suspend', 'umbrella', '--json')).out)).toMatchObject({ id: 'umbrella', status: 'suspended' });
      expect((await run('tenants', 'resume', 'umbrella')).out).toMatch(/Resumed tenant umbrella\.\nid:\s+umbrella\nstatus: active/);
      expect(await run('tenants', 'suspend', 'nobody')).toMatchObject({ code: 1, err: expect.stringContaining('no tenant with id "nobody"') });
    });

    it('sets and clears limits and budgets, keeping what is not named', async () => {
      await run('tenants', 'create', 'hooli', '--tier', 'enterprise', '--budget', '{"usd": 100}');
      const set = await run('tenants', 'set-limits', 'hooli', '--limits', '{"requestsPerMinute": 600, "tokensPerDay": 5000000}', '--json');
      expect(set.code, set.err).toBe(0);
      expect(JSON.parse(set.out)).toEqual({ id: 'hooli', status: 'active', tier: 'enterprise', tags: [], limits: { requestsPerMinute: 600, tokensPerDay: 5_000_000 }, budget: { usd: 100 } });
      const cleared = JSON.parse((await run('tenants', 'set-limits', 'hooli', '--clear-budget', '--json')).out) as Record<string, unknown>;
      expect(cleared).toEqual({ id: 'hooli', status: 'active', tier: 'enterprise', tags: [], limits: { requestsPerMinute: 600, tokensPerDay: 5_000_000 } });
    });

    it('refuses bad input with exit code 2', async () => {
      expect(await run('tenants', 'create', '../etc')).toMatchObject({ code: 2, err: expect.stringContaining('id: must be 1-128 characters') });
      expect(await run('tenants', 'create', 'x', '--limits', '[1,2]')).toMatchObject({ code: 2, err: expect.stringContaining('--limits must be a JSON object') });
      expect(await run('tenants', 'create', 'x', '--budget', '{usd: 1}')).toMatchObject({ code: 2, err: expect.stringContaining('--budget must be a JSON object') });
      expect(await run('tenants', 'set-limits', 'acme')).toMatchObject({ code: 2, err: expect.stringContaining('nothing to change') });
      expect((await run('tenants', 'list', '--status', 'paused')).code).toBe(2);
    });
  });
}
