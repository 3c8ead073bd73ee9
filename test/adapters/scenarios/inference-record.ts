// The inference record: exactly one per request, allowed or refused, with status, tenant, key id and model, through every adapter.
import type { AuditRecord, MemoryAuditSink } from '@tollgate/core';
import { expect } from 'vitest';
import type { Scenario, ScenarioTarget } from '../scenario.js';
import { chat, jsonHeaders, mintKey } from './contract-keys.js';

/**
 * Waits for the request's record, then for a later request's record on the same chain (records are
 * delivered in order), and checks the first request was recorded exactly once.
 */
async function singleRecord(target: ScenarioTarget, sink: MemoryAuditSink, prefix: '/policy' | '/limits', requestId: string, key: string): Promise<AuditRecord> {
  const record = await sink.waitFor((r) => r.request_id === requestId, 5_000);
  const barrier = target.nextId();
  await (await fetch(`${target.url}${prefix}/whoami`, { headers: jsonHeaders(key, barrier) })).text();
  await sink.waitFor((r) => r.request_id === barrier, 5_000);
  expect(sink.records.filter((r) => r.request_id === requestId), `records of ${requestId}`).toHaveLength(1);
  return record;
}

export const inferenceRecordScenarios: readonly Scenario[] = [
  {
    name: 'writes one record for an allowed request, with status, tenant, key id, model and outcome',
    async run(target) {
      const { key, keyId } = await mintKey(target, { tenantId: 'acme', roles: ['dev'] });
      const id = target.nextId();
      const res = await fetch(`${target.url}/policy/echo`, { method: 'POST', headers: jsonHeaders(key, id), body: chat('gpt-standard') });
      expect(res.status).toBe(200);
      await res.text();
      const record = await singleRecord(target, target.fixture.sinks.policy, '/policy', id, key);
      expect(record).toMatchObject({ status: 200, outcome: 'success', tenant_id: 'acme', key_id: keyId, model: 'gpt-standard', method: 'POST', reason: null, api: 'chat' });
      expect(JSON.stringify(record)).not.toContain(key);
    },
  },
  {
    name: 'writes one record for each refusal (tenant, policy, body), naming the refusal',
    async run(target) {
      const sink = target.fixture.sinks.policy;
      const dev = await mintKey(target, { tenantId: 'acme', roles: ['dev'] });
      const suspended = await mintKey(target, { tenantId: 'initech', roles: ['dev'] });
      const cases = [
        { who: suspended, body: chat('gpt-standard'), status: 403, reason: 'TG_TENANT_SUSPENDED', tenant: 'initech', model: null },
        { who: dev, body: chat('gpt-premium'), status: 403, reason: 'TG_POLICY_DENIED', tenant: 'acme', model: 'gpt-premium' },
        { who: dev, body: chat('gpt-nonexistent'), status: 400, reason: 'TG_MODEL_NOT_FOUND', tenant: 'acme', model: null },
      ];
      for (const c of cases) {
        const id = target.nextId();
        const res = await fetch(`${target.url}/policy/echo`, { method: 'POST', headers: jsonHeaders(c.who.key, id), body: c.body });
        expect(res.status).toBe(c.status);
        await res.text();
        const record = await singleRecord(target, sink, '/policy', id, dev.key);
        expect(record, c.reason).toMatchObject({ status: c.status, outcome: 'denied', reason: c.reason, tenant_id: c.tenant, key_id: c.who.keyId, model: c.model });
      }
    },
  },
  {
    name: 'writes one record for a request refused by a limit, with the 429 and the rule’s code',
    async run(target) {
      const sink = target.fixture.sinks.limits;
      const { key, keyId } = await mintKey(target, { tenantId: 'acme' });
      const spare = await mintKey(target, { tenantId: 'acme' });
      const ids = [target.nextId(), target.nextId(), target.nextId()];
      for (const id of ids) await (await fetch(`${target.url}/limits/echo`, { method: 'POST', headers: jsonHeaders(key, id), body: chat('gpt-standard') })).text();
      const records = [];
      for (const id of ids) records.push(await singleRecord(target, sink, '/limits', id, spare.key));
      expect(records.map((r) => r.status)).toEqual([200, 200, 429]);
      expect(records[2]).toMatchObject({ outcome: 'denied', reason: 'TG_RATE_LIMITED', tenant_id: 'acme', key_id: keyId, model: 'gpt-standard' });
    },
  },
];
