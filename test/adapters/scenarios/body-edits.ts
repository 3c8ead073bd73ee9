// Steps that edit the parsed body (a policy's fallback model, a lowered max_tokens, streamed usage asked for): the handler forwards the edited body in every framework.
import { expect } from 'vitest';
import { keyOutputRule } from '../contract-chain.js';
import type { Scenario } from '../scenario.js';
import { jsonHeaders, mintKey } from './contract-keys.js';

export const bodyEditScenarios: readonly Scenario[] = [
  {
    name: 'hands the handler the body the steps edited: the fallback model, the lowered max_tokens and include_usage',
    async run(target) {
      const { key } = await mintKey(target, { tenantId: 'acme', roles: ['dev'] });
      const id = target.nextId();
      const sent = { model: 'gpt-premium', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 100, stream: true };
      const res = await fetch(`${target.url}/edits/echo`, { method: 'POST', headers: jsonHeaders(key, id), body: JSON.stringify(sent) });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-tollgate-model-rewritten')).toBe('gpt-standard');
      const edited = { ...sent, model: 'gpt-standard', max_tokens: keyOutputRule.limit, stream_options: { include_usage: true } };
      expect(await res.json()).toEqual({ body: edited });
      // What core checked and charged is what the handler forwards.
      const record = await target.fixture.recorder.waitFor(id, (r) => r.finishes.length > 0);
      expect(await record.context.request.json()).toEqual(edited);
      expect(record.context.model?.name).toBe('gpt-standard');
      expect(record.context.inference?.maxTokens).toBe(keyOutputRule.limit);
    },
  },
  {
    name: 'leaves a body no step edits exactly as sent',
    async run(target) {
      const { key } = await mintKey(target, { tenantId: 'acme', roles: ['dev'] });
      const sent = { model: 'gpt-standard', messages: [{ role: 'user', content: 'héllo' }], max_tokens: 10 };
      const res = await fetch(`${target.url}/edits/echo`, { method: 'POST', headers: jsonHeaders(key, target.nextId()), body: JSON.stringify(sent) });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-tollgate-model-rewritten')).toBeNull();
      expect(await res.json()).toEqual({ body: sent });
    },
  },
];
