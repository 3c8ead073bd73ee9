// A response an observer holds: nothing leaves before the verdict; then the answer exactly as written, or the refusal instead.
import { once } from 'node:events';
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TgContext } from '../context/tg-context.js';
import { TollgateError } from '../errors/tollgate-error.js';
import { createPipeline, type PipelineOptions } from '../pipeline/pipeline.js';
import type { ResponseOutcome, Step } from '../pipeline/step.js';
import { nodeRawBody, nodeRequestInput } from './node-request.js';
import { abortOnDisconnect, finishOnClose } from './node-response.js';

const servers: Server[] = [];
afterEach(() => Promise.all(servers.splice(0).map((server) => new Promise((resolve) => {
  server.closeAllConnections();
  server.close(resolve);
}))));

/** A deferred verdict the test decides, and what the step saw when it was asked. */
function judgeStep(maxBytes = 1024) {
  let decide: (error: TollgateError | undefined) => void = () => undefined;
  const decided = new Promise<TollgateError | undefined>((resolve) => (decide = resolve));
  const asked: Array<{ overLimit: boolean; bytesOnWire: number; body: string }> = [];
  const finishes: ResponseOutcome[] = [];
  const contexts: TgContext[] = [];
  let res: ServerResponse | undefined;
  let body = '';
  const step: Step = {
    name: 'judge',
    requires: [],
    run: (context) => void contexts.push(context),
    observeResponse: () => ({
      chunk: (chunk) => void (body += Buffer.from(chunk).toString()),
      hold: () => ({
        maxBytes,
        verdict: (overLimit) => {
          asked.push({ overLimit, bytesOnWire: res!.socket!.bytesWritten, body });
          return decided;
        },
      }),
    }),
    finish: (_context, outcome) => void finishes.push(outcome),
  };
  return { step, decide, asked, finishes, contexts, attach: (response: ServerResponse) => (res = response) };
}

async function serve(judge: ReturnType<typeof judgeStep>, handler: (res: ServerResponse) => void, options: Partial<PipelineOptions> = {}): Promise<string> {
  const pipeline = createPipeline({ steps: [judge.step], ...options });
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    judge.attach(res);
    const handle = pipeline.start(nodeRequestInput(req, { path: '/', body: () => nodeRawBody(req) }));
    abortOnDisconnect(res, handle);
    finishOnClose(res, handle, pipeline, (await pipeline.run(handle)) === undefined);
    handler(res);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface RawResponse {
  readonly status: number;
  readonly statusMessage: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

function get(url: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, statusMessage: res.statusMessage!, headers: res.headers, body }));
    }).on('error', reject).end();
  });
}

describe('a held Node response', () => {
  it('sends nothing before the verdict, then the answer exactly as written: status, headers, framing and body', async () => {
    const judge = judgeStep();
    const url = await serve(judge, (res) => {
      res.setHeader('x-handler', 'kept');
      res.writeHead(201, 'Made', { 'content-type': 'application/json' });
      res.write('{"a":');
      res.write(Buffer.from('1}'));
      res.end();
    });
    const pending = get(url);
    await vi.waitFor(() => expect(judge.asked).toHaveLength(1));
    expect(judge.asked[0]).toEqual({ overLimit: false, bytesOnWire: 0, body: '{"a":1}' });
    judge.decide(undefined);
    const res = await pending;
    expect(res).toMatchObject({ status: 201, statusMessage: 'Made', body: '{"a":1}' });
    expect(res.headers).toMatchObject({ 'x-handler': 'kept', 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    await vi.waitFor(() => expect(judge.finishes).toEqual([{ status: 201, aborted: false }]));
    expect(judge.contexts[0]!.decisions.blocked).toBeUndefined();
  });

  it('replaces a blocked answer with the refusal core renders, dropping every header and the reason phrase the handler set', async () => {
    const judge = judgeStep();
    const url = await serve(judge, (res) => {
      res.statusMessage = 'Fine';
      res.setHeader('x-handler', 'secret');
      res.setHeader('content-type', 'application/json');
      res.end('{"answer":"not for you"}');
    });
    const pending = get(url);
    await vi.waitFor(() => expect(judge.asked).toHaveLength(1));
    judge.decide(new TollgateError('TG_OUTPUT_BLOCKED'));
    const res = await pending;
    expect(res.status).toBe(502);
    expect(res.statusMessage).toBe('Bad Gateway');
    expect(res.headers['x-handler']).toBeUndefined();
    expect(res.headers['x-should-retry']).toBe('false');
    expect(res.headers['x-request-id']).toMatch(/^req_/);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'output_blocked', tg_code: 'TG_OUTPUT_BLOCKED' } });
    await vi.waitFor(() => expect(judge.finishes).toEqual([{ status: 502, aborted: false }]));
    expect(judge.contexts[0]!.decisions.blocked).toEqual({ step: 'judge', code: 'TG_OUTPUT_BLOCKED', status: 502 });
    expect(judge.contexts[0]!.decisions.refusal).toBeUndefined();
  });

  it('never sends a body over the hold’s limit: the verdict hears overLimit, and even a pass is refused', async () => {
    const judge = judgeStep(8);
    const url = await serve(judge, (res) => {
      res.setHeader('content-type', 'application/json');
      res.write('{"pad":"');
      res.end('0123456789"}');
    });
    const pending = get(url);
    await vi.waitFor(() => expect(judge.asked).toHaveLength(1));
    expect(judge.asked[0]).toMatchObject({ overLimit: true, bytesOnWire: 0 });
    judge.decide(undefined);
    const res = await pending;
    expect(res.status).toBe(502);
    expect(res.body).not.toContain('0123456789');
    await vi.waitFor(() => expect(judge.contexts[0]!.decisions.blocked).toMatchObject({ step: 'judge', code: 'TG_OUTPUT_BLOCKED' }));
  });

  it('looks sent to the framework once the handler ended it, so a second answer is never written, and calls write callbacks at once', async () => {
    const judge = judgeStep();
    const seen: unknown[] = [];
    const url = await serve(judge, (res) => {
      res.write('{"a":', () => {
        seen.push(['callback', res.headersSent, res.writableEnded]);
        res.end('1}');
        // As Fastify does after an async handler resolved: answer only when nothing was sent.
        if (!res.writableEnded) res.end('{"second":true}');
        seen.push(['after end', res.headersSent, res.writableEnded]);
      });
    });
    const pending = get(url);
    await vi.waitFor(() => expect(judge.asked).toHaveLength(1));
    judge.decide(undefined);
    expect((await pending).body).toBe('{"a":1}');
    expect(seen).toEqual([['callback', true, false], ['after end', true, true]]);
  });

  it('sends nothing and finishes once, aborted, when the client leaves while the answer is judged', async () => {
    const judge = judgeStep();
    const url = await serve(judge, (res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"a":1}');
    });
    const controller = new AbortController();
    const pending = fetch(url, { signal: controller.signal }).catch((error: unknown) => error);
    await vi.waitFor(() => expect(judge.asked).toHaveLength(1));
    controller.abort();
    await pending;
    await vi.waitFor(() => expect(judge.finishes).toEqual([{ status: 200, aborted: true }]));
    judge.decide(undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(judge.finishes).toHaveLength(1);
  });

  it('fails closed when the refusal cannot even be rendered: the connection is cut, the answer never sent', async () => {
    const judge = judgeStep();
    const url = await serve(judge, (res) => res.end('{"answer":"secret"}'), { errors: { format: () => { throw new Error('renderer bug'); } } });
    const pending = get(url).then(() => 'answered', (error: Error) => error.message);
    await vi.waitFor(() => expect(judge.asked).toHaveLength(1));
    judge.decide(new TollgateError('TG_OUTPUT_BLOCKED'));
    expect(await pending).toBe('socket hang up');
  });
});
