// The stub upstream's server: options, startup on loopback, routing and shutdown.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ConfigError } from '../errors/tollgate-error.js';
import { sendChatCompletion, streamChatCompletion } from './chat-completion.js';
import { parseChatRequest } from './chat-request.js';
import { parseEmbeddingsRequest, sendEmbeddings } from './embeddings.js';
import { StubHttpError, modelNotFound, randomId, readJsonBody, sendError, sendJson } from './http-json.js';

/** Options of {@link startStubUpstream}. */
export interface StubUpstreamOptions {
  /** Port to listen on; 0 lets the system pick a free one. @default 0 */
  readonly port?: number;
  /** Address to bind. @default '127.0.0.1' (loopback only) */
  readonly host?: string;
  /**
   * Model ids served; any other model is answered with 404 `model_not_found`.
   * @default ['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small']
   */
  readonly models?: readonly string[];
  /** Milliseconds to wait before each streamed chunk. @default 0 */
  readonly delayMs?: number;
}

/** A running stub upstream. */
export interface StubUpstream {
  /** Base URL for an OpenAI client, ending in `/v1` (e.g. `http://127.0.0.1:41234/v1`). */
  readonly url: string;
  readonly port: number;
  /** HTTP requests received so far, on any route, answered with an error or not. */
  readonly requests: number;
  /** Chat streams being written right now. */
  readonly openStreams: number;
  /** Chat streams whose client disconnected before `[DONE]`, after which the stub stopped writing. */
  readonly abortedStreams: number;
  /** Stops listening and ends every open connection, streams included. Safe to call twice. */
  close(): Promise<void>;
}

const defaultModels = ['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small'] as const;

/** A fixed `created` for the model list, so its answer is byte-for-byte stable. */
const modelsCreated = 1_700_000_000;

interface Settings {
  readonly models: readonly string[];
  readonly modelSet: ReadonlySet<string>;
  readonly delayMs: number;
}

/** What the running server counts, read through {@link StubUpstream}. */
interface Counters {
  requests: number;
  openStreams: number;
  abortedStreams: number;
}

function settingsFrom(options: StubUpstreamOptions): Settings & { port: number; host: string } {
  const { port = 0, host = '127.0.0.1', models = defaultModels, delayMs = 0 } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError(`startStubUpstream: 'port' must be an integer from 0 to 65535, got ${String(port)}.`);
  }
  if (typeof host !== 'string' || host === '') {
    throw new ConfigError("startStubUpstream: 'host' must be a non-empty string.");
  }
  if (!Array.isArray(models) || models.length === 0 || !models.every((m) => typeof m === 'string' && m !== '')) {
    throw new ConfigError("startStubUpstream: 'models' must be a non-empty array of non-empty model ids.");
  }
  if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0) {
    throw new ConfigError(`startStubUpstream: 'delayMs' must be a finite number >= 0, got ${String(delayMs)}.`);
  }
  // Copied, so later changes to the caller's array do not change what the server serves.
  const served = [...new Set(models)];
  return { port, host, models: served, modelSet: new Set(served), delayMs };
}

function modelObject(id: string): Record<string, unknown> {
  return { id, object: 'model', created: modelsCreated, owned_by: 'tollgate-stub' };
}

function decodedSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The address clients should dial: a wildcard bind is still reached through loopback. */
function dialHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return address.includes(':') ? `[${address}]` : address;
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  settings: Settings,
  counters: Counters,
): Promise<void> {
  const method = req.method ?? 'GET';
  const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
  if (method === 'GET' && path === '/v1/models') {
    sendJson(res, 200, { object: 'list', data: settings.models.map(modelObject) });
    return;
  }
  if (method === 'GET' && path.startsWith('/v1/models/')) {
    const id = decodedSegment(path.slice('/v1/models/'.length));
    if (id === undefined || !settings.modelSet.has(id)) throw modelNotFound(id ?? path);
    sendJson(res, 200, modelObject(id));
    return;
  }
  if (method === 'POST' && path === '/v1/chat/completions') {
    const request = parseChatRequest(await readJsonBody(req), settings.modelSet);
    if (!request.stream) {
      sendChatCompletion(res, request);
      return;
    }
    counters.openStreams += 1;
    try {
      if (!(await streamChatCompletion(res, request, settings.delayMs))) counters.abortedStreams += 1;
    } finally {
      counters.openStreams -= 1;
    }
    return;
  }
  if (method === 'POST' && path === '/v1/embeddings') {
    sendEmbeddings(res, parseEmbeddingsRequest(await readJsonBody(req), settings.modelSet));
    return;
  }
  // OpenAI answers a wrong method the same way as an unknown path.
  throw new StubHttpError(404, `Invalid URL (${method} ${path})`, 'invalid_request_error');
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  settings: Settings,
  counters: Counters,
): Promise<void> {
  counters.requests += 1;
  res.setHeader('x-request-id', randomId('req_'));
  try {
    await route(req, res, settings, counters);
  } catch (error) {
    // Mid-stream, or the client already left: there is no status line left to send.
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    const known =
      error instanceof StubHttpError
        ? error
        : new StubHttpError(500, `The stub upstream failed: ${(error as Error).message}`, 'server_error');
    sendError(res, known);
  }
}

/**
 * Starts a deterministic OpenAI-compatible server for examples, tests and benchmarks, standing in
 * for the model provider: it checks no `Authorization` header. Routes: `GET /v1/models`,
 * `GET /v1/models/:id`, `POST /v1/chat/completions` (whole or `stream: true`, honouring `n`,
 * `max_tokens`/`max_completion_tokens` and `stream_options.include_usage`) and `POST /v1/embeddings`.
 *
 * The reply is `"stub reply: "` plus the first 40 characters of the last user message; each word is
 * one completion token (cut to `max_tokens`, `finish_reason: 'length'`). Prompt tokens are, per
 * message, ceil(text length / 4) + 3; an embedding input costs ceil(length / 4). Completion tokens
 * add up over the `n` choices. Errors use OpenAI's shape: 400 invalid body, 404 unknown model or
 * route, 413 body over 1 MiB.
 *
 * @throws ConfigError when an option is out of range; rejects when the port cannot be bound.
 * @example
 * import OpenAI from 'openai';
 * import { startStubUpstream } from '@tollgate/core/stub-upstream';
 *
 * const stub = await startStubUpstream();
 * const openai = new OpenAI({ baseURL: stub.url, apiKey: 'unused' });
 * const completion = await openai.chat.completions.create({
 *   model: 'gpt-4o-mini',
 *   messages: [{ role: 'user', content: 'hello there' }],
 * });
 * completion.choices[0]?.message.content; // 'stub reply: hello there'
 * completion.usage; // { prompt_tokens: 6, completion_tokens: 4, total_tokens: 10 }
 * await stub.close();
 */
export async function startStubUpstream(options: StubUpstreamOptions = {}): Promise<StubUpstream> {
  const { port, host, ...settings } = settingsFrom(options);
  const counters: Counters = { requests: 0, openStreams: 0, abortedStreams: 0 };
  const server = createServer((req, res) => void handle(req, res, settings, counters));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The stub upstream is not bound to a TCP port.');
  let closing: Promise<void> | undefined;
  return {
    url: `http://${dialHost(address.address)}:${address.port}/v1`,
    port: address.port,
    get requests() {
      return counters.requests;
    },
    get openStreams() {
      return counters.openStreams;
    },
    get abortedStreams() {
      return counters.abortedStreams;
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
