import { describe, expect, it } from 'vitest';
import { TollgateError } from '../errors/tollgate-error.js';
import type { RequestInput } from '../request/tg-request.js';
import { createPipeline } from './pipeline.js';
import type { Step } from './step.js';

const input = (headers: Record<string, string> = {}, remoteAddress = '10.0.0.1'): RequestInput => ({
  method: 'get',
  path: '/v1/models',
  headerValues: (name) => (headers[name] === undefined ? [] : [headers[name]!]),
  remoteAddress,
  body: () => ({ kind: 'none' }),
});
const step = (name: string, requires: string[] = [], run: Step['run'] = () => undefined): Step => ({ name, requires, run });

describe('createPipeline', () => {
  it('refuses a chain whose step needs a later one, and duplicate steps', () => {
    expect(() => createPipeline({ steps: [step('authorize', ['authenticate']), step('authenticate')] })).toThrow(/needs "authenticate" to run first/);
    expect(() => createPipeline({ steps: [step('a'), step('a')] })).toThrow(/twice/);
  });

  it('answers 500 naming the missing step when a requirement was never met', async () => {
    const pipeline = createPipeline({ steps: [step('authorize', ['authenticate'])] });
    const response = await pipeline.run(pipeline.start(input()));
    expect(response?.status).toBe(500);
    expect(JSON.parse(response!.body).error.message).toContain('"authorize" needs "authenticate"');
  });

  it('puts a request id on every response and accepts a well-formed incoming one', async () => {
    const pipeline = createPipeline({ steps: [step('deny', [], () => { throw new TollgateError('TG_MISSING_CREDENTIAL'); })] });
    const ok = pipeline.start(input({ 'x-request-id': 'abc-123' }));
    expect(ok.context.requestId).toBe('abc-123');
    expect(ok.context.responseHeaders['x-request-id']).toBe('abc-123');
    const refused = await pipeline.run(pipeline.start(input({ 'x-request-id': 'bad id\r\nx: y' })));
    expect(refused?.headers['x-request-id']).toMatch(/^req_[0-9a-f]{32}$/);
  });

  it('renders problem+json and a custom realm when asked', async () => {
    const pipeline = createPipeline({ errors: { format: 'problem', realm: 'inference' }, steps: [step('deny', [], () => { throw new TollgateError('TG_INVALID_CREDENTIAL'); })] });
    const response = await pipeline.run(pipeline.start(input()));
    expect(response?.headers['content-type']).toBe('application/problem+json');
    expect(response?.headers['www-authenticate']).toBe('Bearer realm="inference", error="invalid_token"');
    expect(JSON.parse(response!.body)).toMatchObject({ status: 401, code: 'TG_INVALID_CREDENTIAL' });
  });

  it('reports 5xx failures to onError with their cause, and survives a throwing hook', async () => {
    const seen: unknown[] = [];
    const boom = new Error('db password=hunter2 refused');
    const pipeline = createPipeline({ onError: (error) => { seen.push(error.cause); throw new Error('logger down'); }, steps: [step('x', [], () => { throw boom; })] });
    const response = await pipeline.run(pipeline.start(input()));
    expect(response?.status).toBe(500);
    expect(response?.body).not.toContain('hunter2');
    expect(seen).toEqual([boom]);
  });

  it('uses the socket address unless proxies are trusted', () => {
    const headers = { 'x-forwarded-for': '203.0.113.5' };
    expect(createPipeline({ steps: [] }).start(input(headers)).context.clientIp).toBe('10.0.0.1');
    expect(createPipeline({ steps: [], trustProxy: ['10.0.0.0/8'] }).start(input(headers)).context.clientIp).toBe('203.0.113.5');
  });

  it('refuses bad shared options at startup', () => {
    expect(() => createPipeline({ steps: [], errors: { realm: 'a"b' } })).toThrow(/realm/);
    expect(() => createPipeline({ steps: [], errors: { format: 'xml' as 'openai' } })).toThrow(/format/);
    expect(() => createPipeline({ steps: [], requestId: { header: 'bad header' } })).toThrow(/header/);
    expect(() => createPipeline({ steps: [], body: { maxBytes: 0 } })).toThrow(/maxBytes/);
    expect(() => createPipeline({ steps: [], trustProxy: -1 })).toThrow(/hops/);
  });

  it('finishes every step once, in reverse order, even after a refusal, and reports failing finishers', async () => {
    const calls: string[] = [];
    const errors: unknown[] = [];
    const finisher = (name: string, fail = false): Step => ({
      name,
      requires: [],
      run: () => {
        if (name === 'b') throw new TollgateError('TG_INVALID_CREDENTIAL');
      },
      finish: (ctx, outcome) => {
        calls.push(`${name}:${outcome.status}:${ctx.decisions.refusal?.step ?? '-'}`);
        if (fail) throw new Error(`finisher ${name} broke`);
      },
    });
    const pipeline = createPipeline({ steps: [finisher('a'), finisher('b', true), finisher('c')], onError: (error) => errors.push(error.cause) });
    const handle = pipeline.start(input());
    const response = await pipeline.run(handle);
    expect(response?.status).toBe(401);
    expect(handle.context.decisions.refusal).toEqual({ step: 'b', code: 'TG_INVALID_CREDENTIAL', status: 401 });
    await pipeline.finish(handle, { status: 401, aborted: false });
    await pipeline.finish(handle, { status: 401, aborted: false });
    expect(calls).toEqual(['c:401:b', 'b:401:b', 'a:401:b']);
    expect(errors).toHaveLength(1);
  });

  it('combines the observers steps ask for, and drops none when one throws', async () => {
    const seen: string[] = [];
    const observing = (name: string, fail = false): Step => ({
      name,
      requires: [],
      run: () => undefined,
      observeResponse: () => ({
        start: (status) => void seen.push(`${name} start ${status}`),
        chunk: (chunk) => {
          if (fail) throw new Error('observer bug');
          seen.push(`${name} ${new TextDecoder().decode(chunk)}`);
        },
        end: (outcome) => void seen.push(`${name} end ${outcome.aborted}`),
      }),
    });
    const errors: unknown[] = [];
    const pipeline = createPipeline({ steps: [observing('x'), observing('y', true), step('z')], onError: (e) => errors.push(e) });
    const handle = pipeline.start(input());
    await pipeline.run(handle);
    const observer = pipeline.observe(handle)!;
    observer.start?.(200, 'application/json');
    observer.chunk(new TextEncoder().encode('hi'));
    observer.end?.({ status: 200, aborted: true });
    expect(seen).toEqual(['x start 200', 'y start 200', 'x hi', 'x end true', 'y end true']);
    expect(errors).toHaveLength(1);
    expect(createPipeline({ steps: [step('plain')] }).observe(handle)).toBeUndefined();
  });

  it('asks the steps for their observers when the response starts, once, and at its end if it never started', async () => {
    const asked: string[] = [];
    const observing: Step = {
      ...step('watch'),
      observeResponse: () => {
        asked.push('observeResponse');
        return { start: () => void asked.push('start'), chunk: () => void asked.push('chunk'), end: () => void asked.push('end') };
      },
    };
    const pipeline = createPipeline({ steps: [observing] });
    const handle = pipeline.start(input());
    await pipeline.run(handle);
    const observer = pipeline.observe(handle)!;
    // Nothing is made while the handler waits for the model.
    expect(asked).toEqual([]);
    observer.start?.(200, 'application/json');
    observer.chunk(new Uint8Array([1]));
    observer.end?.({ status: 200, aborted: false });
    expect(asked).toEqual(['observeResponse', 'start', 'chunk', 'end']);

    asked.length = 0;
    const gone = pipeline.start(input());
    await pipeline.run(gone);
    pipeline.observe(gone)!.end?.({ status: 200, aborted: true });
    expect(asked).toEqual(['observeResponse', 'end']);
  });
});
