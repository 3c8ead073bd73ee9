import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPipeline } from '../pipeline/pipeline.js';
import type { ResponseOutcome, Step } from '../pipeline/step.js';
import { collectNodeStream, nodeHeaderValues, nodeRawBody, nodeRequestInput, pathWithoutQuery } from './node-request.js';
import { connect } from 'node:net';
import { abortOnDisconnect, finishOnClose, tapNodeResponse } from './node-response.js';

const servers: Server[] = [];
afterEach(() => Promise.all(servers.splice(0).map((server) => new Promise((resolve) => {
  server.closeAllConnections();
  server.close(resolve);
}))));

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('tapNodeResponse', () => {
  it('sees every chunk and a content type given only to writeHead, in object or list form', async () => {
    const seen: Array<{ type: string | undefined; body: string }> = [];
    const url = await serve((req, res) => {
      const record = { type: undefined as string | undefined, body: '' };
      seen.push(record);
      tapNodeResponse(res, { start: (_status, type) => void (record.type = type), chunk: (c) => void (record.body += Buffer.from(c).toString()) });
      if (req.url === '/list') res.writeHead(201, ['Content-Type', 'text/event-stream']);
      else res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('636166c3a9', 'hex');
      res.write(Buffer.from('|b'));
      res.end('|end');
    });
    expect(await (await fetch(`${url}/obj`)).arrayBuffer()).toBeDefined();
    expect(await (await fetch(`${url}/list`)).arrayBuffer()).toBeDefined();
    expect(seen).toEqual([{ type: 'application/json', body: 'café|b|end' }, { type: 'text/event-stream', body: 'café|b|end' }]);
  });

  it('puts the same functions on every response (no closure per response), and refuses a foreign receiver', async () => {
    const tapped: ServerResponse[] = [];
    const url = await serve((_req, res) => {
      tapNodeResponse(res, { chunk: () => undefined });
      tapped.push(res);
      res.end('ok');
    });
    for (let i = 0; i < 2; i++) expect(await (await fetch(url)).text()).toBe('ok');
    const [one, two] = tapped;
    expect(one!.end).toBe(two!.end);
    expect(one!.write).toBe(two!.write);
    expect(one!.writeHead).toBe(two!.writeHead);
    const end = one!.end as unknown as (this: unknown) => unknown;
    expect(() => end.call({})).toThrow(TypeError);
  });

  it('taps a response twice: the later observer sees the bytes first, each sees all of them, the client gets them once', async () => {
    const order: string[] = [];
    const url = await serve((_req, res) => {
      tapNodeResponse(res, { start: () => void order.push('first:start'), chunk: (c) => void order.push(`first:${Buffer.from(c).toString()}`) });
      tapNodeResponse(res, { start: () => void order.push('second:start'), chunk: (c) => void order.push(`second:${Buffer.from(c).toString()}`) });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('a');
      res.end('b');
    });
    expect(await (await fetch(url)).text()).toBe('ab');
    expect(order).toEqual(['second:start', 'first:start', 'second:a', 'first:a', 'second:b', 'first:b']);
  });
});

describe('abortOnDisconnect and finishOnClose', () => {
  const recorder = () => {
    const finishes: ResponseOutcome[] = [];
    const ended: ResponseOutcome[] = [];
    const step: Step = {
      name: 'watch',
      requires: [],
      run: () => undefined,
      observeResponse: () => ({ chunk: () => undefined, end: (outcome) => void ended.push(outcome) }),
      finish: (_ctx, outcome) => void finishes.push(outcome),
    };
    return { finishes, ended, pipeline: createPipeline({ steps: [step] }) };
  };

  it('finishes once, after the observer, with the status of a complete response', async () => {
    const { finishes, ended, pipeline } = recorder();
    const url = await serve(async (req, res) => {
      const handle = pipeline.start(nodeRequestInput(req, { path: pathWithoutQuery(req.url!), body: () => nodeRawBody(req) }));
      abortOnDisconnect(res, handle);
      abortOnDisconnect(res, handle);
      finishOnClose(res, handle, pipeline, (await pipeline.run(handle)) === undefined);
      res.statusCode = 202;
      res.end('ok');
    });
    await (await fetch(`${url}/x?y=1`)).text();
    await vi.waitFor(() => expect(finishes).toEqual([{ status: 202, aborted: false }]));
    expect(ended).toEqual([{ status: 202, aborted: false }]);
  });

  it('aborts the signal when the client leaves, and still finishes a response that closed before it was asked to', async () => {
    const { finishes, pipeline } = recorder();
    const signals: AbortSignal[] = [];
    const url = await serve((req, res) => {
      const handle = pipeline.start(nodeRequestInput(req, { path: '/', body: () => nodeRawBody(req) }));
      signals.push(handle.context.signal);
      abortOnDisconnect(res, handle);
      res.once('close', () => finishOnClose(res, handle, pipeline, false));
    });
    const controller = new AbortController();
    const pending = fetch(url, { signal: controller.signal }).catch(() => undefined);
    await vi.waitFor(() => expect(signals).toHaveLength(1));
    controller.abort();
    await pending;
    await vi.waitFor(() => expect(finishes).toEqual([{ status: 200, aborted: true }]));
    expect(signals[0]!.aborted).toBe(true);
  });
});

describe('nodeRequestInput', () => {
  it('keeps duplicated headers, also for request objects with only rawHeaders (test doubles)', () => {
    const real = { headersDistinct: { authorization: ['a', 'b'] }, headers: {}, rawHeaders: [], socket: { remoteAddress: '10.0.0.1' }, method: 'GET' };
    const double = { headers: { authorization: 'a, b' }, rawHeaders: ['Authorization', 'a', 'authorization', 'b'], socket: { remoteAddress: '10.0.0.2' }, method: 'POST' };
    const headersOnly = { headers: { 'x-api-key': 'k', 'set-cookie': ['1', '2'] }, socket: null, method: 'GET' };
    const input = (req: object) => nodeRequestInput(req as IncomingMessage, { path: '/', body: () => ({ kind: 'none' }) });
    expect(input(real).headerValues('authorization')).toEqual(['a', 'b']);
    expect(input(double).headerValues('authorization')).toEqual(['a', 'b']);
    expect(input(double).remoteAddress).toBe('10.0.0.2');
    expect(input(headersOnly).headerValues('set-cookie')).toEqual(['1', '2']);
    expect(input(headersOnly).headerValues('x-api-key')).toEqual(['k']);
    expect(input(headersOnly).remoteAddress).toBeUndefined();
  });

  it('reads each header as Node’s headersDistinct has it, from the raw headers: duplicates, any case, in order', async () => {
    const seen: Array<{ ours: Record<string, readonly string[]>; node: Record<string, string[] | undefined> }> = [];
    const names = ['authorization', 'x-api-key', 'x-forwarded-for', 'x-tenant-id', 'host', 'absent', 'x-empty'];
    const url = await serve((req, res) => {
      const values = nodeHeaderValues(req);
      seen.push({ ours: Object.fromEntries(names.map((name) => [name, values(name)])), node: Object.fromEntries(names.map((name) => [name, req.headersDistinct[name]])) });
      res.end();
    });
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      'GET / HTTP/1.1\r\nHost: h\r\nAUTHORIZATION: Bearer one\r\nX-Forwarded-For: 10.0.0.1\r\nauthorization: Bearer two\r\n' +
        'x-forwarded-for: 10.0.0.2, 10.0.0.3\r\nX-Api-Key: k\r\nx-tenant-idx: not this one\r\nX-Empty: \r\nConnection: close\r\n\r\n',
    );
    socket.resume();
    await once(socket, 'close');
    expect(seen).toHaveLength(1);
    const { ours, node } = seen[0]!;
    for (const name of names) expect(ours[name], name).toEqual(node[name] ?? []);
    expect(ours.authorization).toEqual(['Bearer one', 'Bearer two']);
    expect(ours['x-forwarded-for']).toEqual(['10.0.0.1', '10.0.0.2, 10.0.0.3']);
    expect(ours['x-tenant-id']).toEqual([]);
  });

  it('says there is no body without Content-Length or Transfer-Encoding, as Node’s parser does', () => {
    const body = (headers: Record<string, string>) => nodeRawBody({ headers } as unknown as IncomingMessage).kind;
    expect([body({}), body({ 'content-length': '0' }), body({ 'content-length': '2' }), body({ 'transfer-encoding': 'chunked' })]).toEqual(['none', 'none', 'raw', 'raw']);
  });
});

describe('collectNodeStream', () => {
  it('joins the chunks (strings too), handing each to keep, and reads an ended stream as empty', async () => {
    const kept: string[] = [];
    const bytes = await collectNodeStream(Readable.from([Buffer.from('{"a"'), ':1', Buffer.from('}')]), 100, (chunk) => void kept.push(chunk.toString()));
    expect(Buffer.from(bytes).toString()).toBe('{"a":1}');
    expect(kept).toEqual(['{"a"', ':1', '}']);
    const ended = Readable.from([]);
    ended.resume();
    await once(ended, 'end');
    expect((await collectNodeStream(ended, 100)).byteLength).toBe(0);
  });

  it('rejects with TG_BODY_TOO_LARGE past the limit and stops listening, leaving the stream open', async () => {
    const stream = new PassThrough();
    const read = collectNodeStream(stream, 4);
    stream.write('abc');
    stream.write('de');
    await expect(read).rejects.toMatchObject({ code: 'TG_BODY_TOO_LARGE' });
    expect(stream.listenerCount('data')).toBe(0);
    expect(stream.destroyed).toBe(false);
  });

  it('rejects with the cause when the stream fails or closes before its end', async () => {
    const failing = new PassThrough();
    const failed = collectNodeStream(failing, 100);
    failing.destroy(new Error('reset'));
    await expect(failed).rejects.toThrow('reset');
    const closing = new PassThrough();
    const closed = collectNodeStream(closing, 100);
    closing.write('x');
    closing.destroy();
    await expect(closed).rejects.toThrow(/before it was complete/);
    await expect(collectNodeStream(closing, 100)).rejects.toThrow(/already gone/);
  });

  it('is what nodeRawBody reads with, so core parses a chunked body without its async iterator', async () => {
    const url = await serve(async (req, res) => {
      const source = nodeRawBody(req);
      const bytes = source.kind === 'raw' ? await source.collect!(1000) : new Uint8Array();
      res.end(Buffer.from(bytes).toString().toUpperCase());
    });
    const body = Readable.from(['{"chunked"', ':true}']);
    const res = await fetch(url, { method: 'POST', body: Readable.toWeb(body) as ReadableStream, duplex: 'half' } as RequestInit);
    expect(await res.text()).toBe('{"CHUNKED":TRUE}');
  });
});
