// An output check that can block holds a non-streamed JSON answer back: a blocked answer never reaches the client, a passed one arrives as written.
import type { AuditRecord } from '@tollgate/core';
import { expect } from 'vitest';
import { answerFor, answerHeader, answerUsage } from '../conformance-fixture.js';
import { blockedWord } from '../contract-chain.js';
import { rendered, type Scenario, type ScenarioTarget } from '../scenario.js';
import { jsonHeaders, mintKey } from './contract-keys.js';

/** Headers that differ between any two responses (or by chain), left out when two answers are compared. */
const volatile = /^(date|x-request-id|ratelimit.*|x-ratelimit-.*|retry-after.*|keep-alive|connection)$/;

function stableHeaders(response: Response): Record<string, string> {
  return Object.fromEntries([...response.headers].filter(([name]) => !volatile.test(name)));
}

function ask(content: string): { model: string; messages: Array<{ role: string; content: string }> } {
  return { model: 'gpt-standard', messages: [{ role: 'user', content }] };
}

/** The record of a request on `/output`, with the decisions these scenarios read. */
interface OutputRecord extends AuditRecord {
  readonly decision: {
    readonly blocked?: unknown;
    readonly validation: { readonly response: { readonly output: unknown } };
    readonly rate_limit: { readonly settlement: unknown };
  };
}

async function recordOf(target: ScenarioTarget, requestId: string): Promise<OutputRecord> {
  return (await target.fixture.sinks.output.waitFor((r) => r.request_id === requestId, 5_000)) as unknown as OutputRecord;
}

export const outputHoldScenarios: readonly Scenario[] = [
  {
    name: 'withholds a JSON answer the output check blocks: the client gets the refusal, never the answer',
    async run(target) {
      const { key } = await mintKey(target, { tenantId: 'acme' });
      const id = target.nextId();
      const res = await fetch(`${target.url}/output/answer`, { method: 'POST', headers: jsonHeaders(key, id), body: JSON.stringify(ask(`say ${blockedWord}`)) });
      const text = await res.text();
      const refusal = rendered(target, '/output', 'TG_OUTPUT_BLOCKED', id);
      expect(res.status).toBe(502);
      expect(text).toBe(refusal.body);
      expect(text).not.toContain(blockedWord);
      expect(res.headers.get('content-type')).toBe(refusal.headers['content-type']);
      expect(res.headers.get('x-should-retry')).toBe('false');
      expect(res.headers.get('x-request-id')).toBe(id);
      // The handler's own headers went with its answer.
      expect(res.headers.get(answerHeader)).toBeNull();
      expect(res.headers.get('ratelimit-policy')).not.toBeNull();

      // The record: the status sent, the block, and the model's usage charged (the model was called).
      const record = await recordOf(target, id);
      expect(record).toMatchObject({ status: 502, outcome: 'blocked', reason: 'TG_OUTPUT_BLOCKED', input_tokens: answerUsage.prompt_tokens, output_tokens: answerUsage.completion_tokens });
      expect(record.decision.blocked).toEqual({ step: 'validateRequest', code: 'TG_OUTPUT_BLOCKED', status: 502 });
      expect(record.decision.validation.response.output).toMatchObject({ action: 'block', reason: 'blocked word' });
      expect(record.decision.rate_limit.settlement).toMatchObject({ source: 'usage', input_tokens: answerUsage.prompt_tokens, output_tokens: answerUsage.completion_tokens });
    },
  },
  {
    name: 'sends a JSON answer the output check passes byte-identical, with the handler’s headers',
    async run(target) {
      const { key } = await mintKey(target, { tenantId: 'acme' });
      const id = target.nextId();
      const question = ask('say hello');
      const res = await fetch(`${target.url}/output/answer`, { method: 'POST', headers: jsonHeaders(key, id), body: JSON.stringify(question) });
      const text = await res.text();
      expect(res.status).toBe(200);
      expect(text).toBe(JSON.stringify(answerFor(question)));
      expect(res.headers.get(answerHeader)).toBe('conformance');
      expect(res.headers.get('x-request-id')).toBe(id);
      // The same route under a chain that reads the body but holds nothing sends the same bytes and headers.
      const unheld = await fetch(`${target.url}/body/answer`, { method: 'POST', headers: jsonHeaders(target.fixture.keys.good, target.nextId()), body: JSON.stringify(question) });
      expect(await unheld.text()).toBe(text);
      expect(stableHeaders(res)).toEqual(stableHeaders(unheld));

      const record = await recordOf(target, id);
      expect(record).toMatchObject({ status: 200, outcome: 'success', reason: null, input_tokens: answerUsage.prompt_tokens, output_tokens: answerUsage.completion_tokens, response_bytes: Buffer.byteLength(text) });
      expect(record.decision.validation.response.output).toMatchObject({ action: 'pass' });
      expect(record.decision.blocked).toBeUndefined();
    },
  },
];
