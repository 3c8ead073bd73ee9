// Route to action mapping: the app's routes first, then the inference API, then the OpenAI-style paths; name patterns.
import { describe, expect, it } from 'vitest';
import type { InferenceInfo } from '../context/principal.js';
import { actionResolver, isActionName } from './actions.js';
import { namePattern } from './name-pattern.js';

const inference = (api: InferenceInfo['api']): InferenceInfo => ({ api, stream: false, maxTokens: undefined, n: 1, toolCount: 0, messageCount: 1, promptTokens: 1 });

describe('actionResolver', () => {
  const actions = actionResolver([
    { path: '/admin/keys/**', action: 'admin:keys' },
    { method: 'get', path: '/reports/:id', action: 'reports:read' },
    { path: '/v1/chat/completions', action: 'inference:chat-beta', method: 'PUT' },
  ]);

  it('maps the app’s routes, by method when given', () => {
    expect(actions.find('DELETE', '/admin/keys/k1', undefined)).toBe('admin:keys');
    expect(actions.find('GET', '/admin/keys', undefined)).toBe('admin:keys');
    expect(actions.find('GET', '/reports/42', undefined)).toBe('reports:read');
    expect(actions.find('POST', '/reports/42', undefined)).toBeUndefined();
    expect(actions.find('GET', '/reports/42/raw', undefined)).toBeUndefined();
    expect(actions.known).toContain('reports:read');
  });

  it('maps OpenAI-compatible paths wherever they are mounted', () => {
    expect(actions.find('POST', '/v1/chat/completions', undefined)).toBe('inference:chat');
    expect(actions.find('POST', '/api/openai/v1/chat/completions', undefined)).toBe('inference:chat');
    expect(actions.find('POST', '/v1/completions', undefined)).toBe('inference:completions');
    expect(actions.find('POST', '/v1/embeddings', undefined)).toBe('inference:embeddings');
    expect(actions.find('POST', '/v1/messages', undefined)).toBe('inference:messages');
    expect(actions.find('GET', '/v1/models', undefined)).toBe('models:read');
    expect(actions.find('GET', '/v1/models/gpt-4o', undefined)).toBe('models:read');
    expect(actions.find('GET', '/v1/chat/completions', undefined)).toBeUndefined();
    expect(actions.find('POST', '/v1/chat/completions/extra', undefined)).toBeUndefined();
  });

  it('prefers the app’s routes, then the API validateRequest recognised', () => {
    expect(actions.find('PUT', '/v1/chat/completions', undefined)).toBe('inference:chat-beta');
    expect(actions.find('POST', '/my/llm', inference('anthropic_messages'))).toBe('inference:messages');
    expect(actions.find('POST', '/v1/embeddings', inference('chat'))).toBe('inference:chat');
  });

  it('checks names', () => {
    expect(['admin:keys', 'inference:chat', 'a', 'x.y:z-1_2'].every(isActionName)).toBe(true);
    expect(['', 'admin keys', 'admin:', ':x', 'a:*'].some(isActionName)).toBe(false);
  });
});

describe('namePattern', () => {
  it('matches * as any run of characters and everything else literally', () => {
    expect(namePattern('gpt-4o*')('gpt-4o-mini')).toBe(true);
    expect(namePattern('gpt-4o*')('gpt-4')).toBe(false);
    expect(namePattern('*:staging')('env:staging')).toBe(true);
    expect(namePattern('a.b')('axb')).toBe(false);
    expect(namePattern('(x)+')('(x)+')).toBe(true);
    expect(namePattern('*')('')).toBe(true);
    expect(namePattern('a*b*c')('a-b-x-c')).toBe(true);
  });
});
