// The route's model call: the stub upstream over loopback HTTP (keep-alive), or its answers replayed in-process.
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { startStubUpstream, type StubUpstream } from '@tollgate/core/stub-upstream';
import type { UpstreamMode } from '../configuration.js';

/** What the model call returned: a whole body, or a stream of chunks to relay as they come. */
export interface UpstreamReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer | AsyncIterable<Buffer>;
}

/** The model, as the routes see it. */
export interface Upstream {
  /** `POST /v1/chat/completions` with this (parsed) body; `signal` ends the call when the client goes away. */
  chat(body: unknown, signal?: AbortSignal): Promise<UpstreamReply>;
  close(): Promise<void>;
}

function isStreamRequest(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { stream?: unknown }).stream === true;
}

function postOnce(agent: Agent, url: URL, payload: string, signal: AbortSignal | undefined): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      ...(signal === undefined ? {} : { signal }),
    });
    req.once('response', resolve);
    req.once('error', (error: NodeJS.ErrnoException) => reject(req.reusedSocket && error.code === 'ECONNRESET' ? new StaleSocket(error) : error));
    req.end(payload);
  });
}

/** The server closed an idle keep-alive socket as the agent handed it to this request. */
class StaleSocket extends Error {
  constructor(readonly reset: Error) {
    super(reset.message);
  }
}

/**
 * POSTs `body` as JSON. A keep-alive socket the server closed for idleness (its `keepAliveTimeout`,
 * 5 s in Node) just as the agent reused it ends in ECONNRESET before any answer: that request is
 * sent once more on a new socket, as Node's documentation of `request.reusedSocket` advises. The
 * harness leaves each app idle between its runs, long enough for exactly that race.
 *
 * @example
 * const response = await post(new Agent({ keepAlive: true }), new URL('http://127.0.0.1:8080/chat/completions'), { model: 'gpt-4o-mini' }, undefined);
 */
export async function post(agent: Agent, url: URL, body: unknown, signal: AbortSignal | undefined): Promise<IncomingMessage> {
  const payload = JSON.stringify(body);
  try {
    return await postOnce(agent, url, payload, signal);
  } catch (error) {
    if (!(error instanceof StaleSocket)) throw error;
    return postOnce(agent, url, payload, signal).catch((again: unknown) => {
      throw again instanceof StaleSocket ? again.reset : again;
    });
  }
}

async function wholeBody(response: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function httpUpstream(stub: StubUpstream): Upstream {
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const url = new URL(`${stub.url}/chat/completions`);
  return {
    async chat(body, signal) {
      const response = await post(agent, url, body, signal);
      const contentType = response.headers['content-type'] ?? 'application/json';
      const status = response.statusCode ?? 502;
      return { status, contentType, body: isStreamRequest(body) && status === 200 ? (response as AsyncIterable<Buffer>) : await wholeBody(response) };
    },
    async close() {
      agent.destroy();
      await stub.close();
    },
  };
}

async function* replay(chunks: readonly Buffer[]): AsyncGenerator<Buffer> {
  for (const chunk of chunks) yield chunk;
}

/** Asks the stub once for each shape of answer, then answers every call with those bytes, without a socket. */
async function inlineUpstream(stub: StubUpstream, sample: Record<string, unknown>): Promise<Upstream> {
  const agent = new Agent({ keepAlive: false });
  const url = new URL(`${stub.url}/chat/completions`);
  const whole = await wholeBody(await post(agent, url, { ...sample, stream: false }, undefined));
  const streamedResponse = await post(agent, url, { ...sample, stream: true, stream_options: { include_usage: true } }, undefined);
  const streamType = streamedResponse.headers['content-type'] ?? 'text/event-stream';
  const streamed = (await wholeBody(streamedResponse)).toString('utf8');
  // One chunk per server-sent event, as the stub writes them.
  const events = streamed.split(/(?<=\n\n)/).filter((event) => event !== '').map((event) => Buffer.from(event));
  agent.destroy();
  await stub.close();
  return {
    async chat(body) {
      if (isStreamRequest(body)) return { status: 200, contentType: streamType, body: replay(events) };
      return { status: 200, contentType: 'application/json', body: whole };
    },
    async close() {},
  };
}

/**
 * Starts the model the routes call: the deterministic stub from `@tollgate/core/stub-upstream`,
 * in this process. `http` calls it over a keep-alive loopback connection, as a real route calls its
 * provider; `inline` replays its answers to `sample` with no socket, so only the app's own work is left.
 */
export async function startUpstream(mode: UpstreamMode, sample: Record<string, unknown>): Promise<Upstream> {
  const stub = await startStubUpstream();
  return mode === 'http' ? httpUpstream(stub) : inlineUpstream(stub, sample);
}
