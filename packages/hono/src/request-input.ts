// Translates a Hono request into core's RequestInput: Fetch API first, Node's IncomingMessage where @hono/node-server provides it.
import { collectNodeStream, nodeHeaderValues, nodeRequestHasBody, nodeTlsPeer, type BodySource, type RequestInput } from '@tollgate/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'hono';

/**
 * The Node request behind a Hono context, when the app runs on @hono/node-server (`c.env.incoming`).
 * Recognised by `rawHeaders`, a plain field: `headersDistinct` is a getter that builds an object of
 * every header the first time it is read.
 */
export function nodeIncoming(c: Context): IncomingMessage | undefined {
  const incoming = (c.env as { incoming?: Partial<IncomingMessage> } | undefined)?.incoming;
  return Array.isArray(incoming?.rawHeaders) && incoming.socket !== undefined ? (incoming as IncomingMessage) : undefined;
}

/**
 * The Node response behind a Hono context over HTTP/1 on @hono/node-server (`c.env.outgoing`), the one
 * the server writes the Fetch response to.
 */
export function nodeOutgoing(c: Context): ServerResponse | undefined {
  const incoming = nodeIncoming(c);
  if (incoming === undefined || incoming.httpVersionMajor !== 1) return undefined;
  const outgoing = (c.env as { outgoing?: Partial<ServerResponse> }).outgoing;
  return typeof outgoing?.setHeader === 'function' && typeof outgoing.once === 'function' && 'writableFinished' in outgoing ? (outgoing as ServerResponse) : undefined;
}

function hasBody(c: Context, incoming: IncomingMessage | undefined): boolean {
  const raw = c.req.raw;
  if (raw.body === null || raw.headers.get('content-length') === '0') return false;
  // Over HTTP/1 Node reads no body without Content-Length or Transfer-Encoding, and neither will the handler.
  if (incoming !== undefined && incoming.httpVersionMajor === 1) return nodeRequestHasBody(incoming);
  return true;
}

async function* streamChunks(stream: ReadableStream<Uint8Array>, keep: (bytes: Uint8Array) => void, done: () => void): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done: finished, value } = await reader.read();
      if (finished) break;
      keep(value);
      yield value;
    }
    done();
  } finally {
    reader.releaseLock();
  }
}

/** Hono's body cache given `parts`, so that `c.req.json()` and friends work when no step handed a body over. */
function cacheBytes(c: Context, parts: readonly Uint8Array[]): void {
  const bytes = new Uint8Array(parts.reduce((size, part) => size + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  // Hono keeps promises in its body cache (its types say values); c.req.json() and friends derive from it.
  (c.req.bodyCache as Record<string, unknown>)['arrayBuffer'] = Promise.resolve(bytes.buffer);
}

/**
 * The body as core reads it. Core reads the stream itself (its size and type limits apply); the
 * bytes then go to Hono's body cache, so `c.req.json()` and validators in the handler still work.
 * On @hono/node-server over HTTP/1 it reads the Node request, as the Express and Fastify adapters
 * do: the Fetch request's body would make @hono/node-server build the whole Fetch request (an undici
 * Request, an AbortController, two web streams) and its promise-driven reads kept each request's
 * objects alive into the old generation (3 MB promoted per young collection under load, against
 * 0.4 MB without tollgate).
 */
function bodySource(c: Context, incoming: IncomingMessage | undefined): BodySource {
  const req = c.req;
  if (incoming !== undefined && incoming.httpVersionMajor === 1 && !incoming.readableDidRead && Object.keys(req.bodyCache).length === 0) {
    if (!nodeRequestHasBody(incoming)) return { kind: 'none' };
    const collect = async (maxBytes: number): Promise<Uint8Array> => {
      const bytes = await collectNodeStream(incoming, maxBytes);
      cacheBytes(c, [bytes]);
      return bytes;
    };
    return { kind: 'raw', chunks: async function* chunks() { yield await collect(Number.POSITIVE_INFINITY); }, collect };
  }
  if (!hasBody(c, incoming)) return { kind: 'none' };
  // An earlier middleware already read the body through Hono: read it back from Hono's cache.
  if (req.raw.bodyUsed || Object.keys(req.bodyCache).length > 0) {
    return { kind: 'raw', chunks: async function* cached() { yield new Uint8Array(await req.arrayBuffer()); } };
  }
  const stream = req.raw.body!;
  const parts: Uint8Array[] = [];
  return { kind: 'raw', chunks: () => streamChunks(stream, (bytes) => parts.push(bytes), () => cacheBytes(c, parts)) };
}

/**
 * Gives the handler the body core parsed and the steps edited (a fallback model, a lowered
 * `max_tokens`): `c.req.json()` resolves to that very object, and `c.req.text()`, `arrayBuffer()` and
 * the rest derive from its JSON, serialized only when first asked for. The bytes as sent are never
 * forwarded by mistake.
 *
 * @example
 * if (context.request.bodyRequested) handOverBody(c, await context.request.json());
 */
export function handOverBody(c: Context, body: unknown): void {
  let text: Promise<string> | undefined;
  const cache = {};
  Object.defineProperty(cache, 'text', { enumerable: true, get: () => (text ??= Promise.resolve(JSON.stringify(body))) });
  c.req.bodyCache = cache;
  Object.defineProperty(c.req, 'json', { configurable: true, writable: true, value: () => Promise.resolve(body) });
}

function fetchHeaderValues(headers: Headers): (name: string) => string[] {
  return (name) => {
    const value = headers.get(name);
    return value === null ? [] : [value];
  };
}

/**
 * Core's view of a Hono request. On Node (@hono/node-server) the headers keep their duplicates and the
 * socket and TLS peer are known; elsewhere duplicated headers arrive joined (a joined credential is
 * refused as malformed) and the socket address is unknown.
 *
 * @example
 * const handle = pipeline.start(honoRequestInput(c));
 */
export function honoRequestInput(c: Context): RequestInput {
  const incoming = nodeIncoming(c);
  return {
    method: c.req.method,
    path: c.req.path,
    route: undefined,
    // The Fetch headers only off Node: on @hono/node-server reading them builds a Headers object.
    headerValues: incoming !== undefined ? nodeHeaderValues(incoming) : fetchHeaderValues(c.req.raw.headers),
    remoteAddress: incoming?.socket.remoteAddress,
    tls: incoming === undefined ? undefined : nodeTlsPeer(incoming),
    body: () => bodySource(c, incoming),
  };
}
