// Unit tests of the request model: headers, and the body read once with size, type, JSON and UTF-8 checks.
import { describe, expect, it } from 'vitest';
import { TollgateError } from '../errors/tollgate-error.js';
import { createRequest, type BodySource, type RequestInput } from './tg-request.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A raw body whose reads are counted: how often the source and the chunk stream were opened, how many chunks pulled. */
function countedBody(chunks: readonly Uint8Array[]) {
  const counts = { body: 0, streams: 0, pulled: 0 };
  const source = (): BodySource => {
    counts.body++;
    return {
      kind: 'raw',
      chunks: async function* () {
        counts.streams++;
        for (const chunk of chunks) {
          counts.pulled++;
          yield chunk;
        }
      },
    };
  };
  return { counts, source };
}

function input(body: () => BodySource, headers: Record<string, readonly string[]> = { 'content-type': ['application/json'] }): RequestInput {
  return { method: 'post', path: '/v1/chat/completions', headerValues: (name) => headers[name] ?? [], remoteAddress: '10.0.0.1', body };
}

async function failure(promise: Promise<unknown>): Promise<TollgateError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TollgateError);
  return error as TollgateError;
}

describe('createRequest', () => {
  it('exposes method (upper-cased), path, route, headers and peer', () => {
    const request = createRequest({ ...input(() => ({ kind: 'none' }), { 'x-a': ['1', '2'] }), route: '/v1/chat/completions' });
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.route).toBe('/v1/chat/completions');
    expect(request.header('x-a')).toBe('1');
    expect(request.headerValues('x-a')).toEqual(['1', '2']);
    expect(request.header('x-missing')).toBeUndefined();
    expect(request.remoteAddress).toBe('10.0.0.1');
    expect(request.tls).toBeUndefined();
  });
});

describe('json(): parsed and empty bodies', () => {
  it('passes a body the framework parsed through, whatever the content type', async () => {
    const value = { model: 'gpt', messages: [] };
    const request = createRequest(input(() => ({ kind: 'parsed', value }), {}));
    expect(await request.json()).toBe(value);
  });

  it('returns undefined when there is no body', async () => {
    expect(await createRequest(input(() => ({ kind: 'none' }))).json()).toBeUndefined();
  });
});

describe('json(): raw bodies', () => {
  it('parses JSON split over chunks, including multi-byte characters cut in half', async () => {
    const bytes = utf8('{"content":"héllo 😀"}');
    const chunks = [bytes.slice(0, 13), bytes.slice(13, 20), bytes.slice(20)];
    expect(await createRequest(input(countedBody(chunks).source)).json()).toEqual({ content: 'héllo 😀' });
  });

  it('reads and parses once: a second call returns the same promise and value', async () => {
    const { counts, source } = countedBody([utf8('{"a":'), utf8('[1,2]}')]);
    const request = createRequest(input(source));
    expect(request.bodyRequested).toBe(false);
    const first = request.json();
    expect(request.bodyRequested).toBe(true);
    const second = request.json();
    expect(second).toBe(first);
    const [a, b] = await Promise.all([first, second]);
    expect(a).toEqual({ a: [1, 2] });
    expect(b).toBe(a);
    expect(await request.json()).toBe(a);
    expect(counts).toEqual({ body: 1, streams: 1, pulled: 2 });
  });

  it('remembers a failure too, without reading again', async () => {
    const { counts, source } = countedBody([utf8('{oops')]);
    const request = createRequest(input(source));
    expect((await failure(request.json())).code).toBe('TG_INVALID_JSON');
    expect((await failure(request.json())).code).toBe('TG_INVALID_JSON');
    expect(counts.body).toBe(1);
  });

  it('does not touch the body until asked', () => {
    const { counts, source } = countedBody([utf8('{}')]);
    const request = createRequest(input(source));
    expect(request.bodyRequested).toBe(false);
    expect(counts.body).toBe(0);
  });

  it.each(['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON;charset=UTF-8', 'application/vnd.api+json', 'application/json ; x=y'])(
    'accepts content type %j',
    async (type) => {
      expect(await createRequest(input(countedBody([utf8('[true]')]).source, { 'content-type': [type] })).json()).toEqual([true]);
    },
  );

  it.each([['missing', undefined], ['text/plain', 'text/plain'], ['form', 'application/x-www-form-urlencoded'], ['jsonx', 'application/jsonx'],
    ['json as a parameter', 'text/plain; type=application/json'], ['text/json', 'text/json'], ['leading space', ' application/json'],
    ['multipart', 'multipart/form-data; boundary=x']])('refuses %s with 415 before reading', async (_, type) => {
    const { counts, source } = countedBody([utf8('{}')]);
    const request = createRequest(input(source, type === undefined ? {} : { 'content-type': [type] }));
    const error = await failure(request.json());
    expect(error.code).toBe('TG_UNSUPPORTED_MEDIA_TYPE');
    expect(error.status).toBe(415);
    expect(counts.streams).toBe(0);
  });

  it('answers 413 past maxBytes and stops reading', async () => {
    const chunk = new Uint8Array(400).fill(0x20);
    const { counts, source } = countedBody([chunk, chunk, chunk, chunk, chunk]);
    const error = await failure(createRequest(input(source), { maxBytes: 1000 }).json());
    expect(error.code).toBe('TG_BODY_TOO_LARGE');
    expect(error.status).toBe(413);
    expect(counts.pulled).toBe(3);
  });

  it('accepts a body of exactly maxBytes', async () => {
    const text = `"${'x'.repeat(98)}"`;
    expect(await createRequest(input(countedBody([utf8(text)]).source), { maxBytes: 100 }).json()).toBe('x'.repeat(98));
  });

  it('answers 413 for a single oversized chunk and with maxBytes 0', async () => {
    expect((await failure(createRequest(input(countedBody([new Uint8Array(2_000_000)]).source)).json())).status).toBe(413);
    expect((await failure(createRequest(input(countedBody([utf8('1')]).source), { maxBytes: 0 }).json())).status).toBe(413);
  });

  it.each([['truncated', '{"a":'], ['empty', ''], ['trailing garbage', '{} x'], ['single quotes', "{'a':1}"], ['NaN', 'NaN'], ['BOM-free junk', '\u0000']])(
    'answers 400 for invalid JSON: %s',
    async (_, text) => {
      const error = await failure(createRequest(input(countedBody([utf8(text)]).source)).json());
      expect(error.code).toBe('TG_INVALID_JSON');
      expect(error.status).toBe(400);
    },
  );

  it.each([['a lone continuation byte', [0x22, 0x80, 0x22]], ['an overlong encoding', [0x22, 0xc0, 0xaf, 0x22]], ['a surrogate', [0x22, 0xed, 0xa0, 0x80, 0x22]],
    ['a truncated sequence', [0x22, 0xe2, 0x82, 0x22]], ['latin-1', [0x22, 0xe9, 0x22]]])('answers 400 for invalid UTF-8: %s', async (_, bytes) => {
    const error = await failure(createRequest(input(countedBody([Uint8Array.from(bytes)]).source)).json());
    expect(error.code).toBe('TG_INVALID_JSON');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/UTF-8/);
  });

  it('does not leak the body into the error message', async () => {
    const error = await failure(createRequest(input(countedBody([utf8('{"api_key":"tg_live_secret"')]).source)).json());
    expect(error.message).not.toContain('tg_live_secret');
  });

  it('turns a stream failure into a 400, not a crash or a 500', async () => {
    const request = createRequest(
      input(() => ({
        kind: 'raw',
        chunks: async function* () {
          yield utf8('{');
          throw new Error('socket hang up');
        },
      })),
    );
    await expect(request.json()).rejects.toMatchObject({ code: 'TG_INVALID_JSON', status: 400, message: 'The request body could not be read.' });
  });
});
