// Builds core's RequestInput from a Node IncomingMessage, for the adapters of Node-based frameworks.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { TollgateError } from '../errors/tollgate-error.js';
import { joinBytes, type BodySource, type RequestInput, type TlsPeer } from '../request/tg-request.js';

/** The TLS peer of a request's socket, or undefined for plain HTTP. */
export function nodeTlsPeer(req: IncomingMessage): TlsPeer | undefined {
  const socket = req.socket as Partial<TLSSocket> | null;
  if (socket?.encrypted !== true || typeof socket.getPeerCertificate !== 'function') return undefined;
  const cert = socket.getPeerCertificate();
  const error = socket.authorizationError;
  const hasCert = cert !== null && typeof cert === 'object' && Object.keys(cert).length > 0;
  return {
    authorized: socket.authorized === true,
    ...(error === undefined || error === null ? {} : { authorizationError: String(error) }),
    ...(hasCert
      ? {
          subject: { ...cert.subject },
          ...(cert.subjectaltname === undefined ? {} : { subjectAltName: cert.subjectaltname }),
          fingerprint256: cert.fingerprint256,
          validFrom: cert.valid_from,
          validTo: cert.valid_to,
        }
      : {}),
  };
}

/**
 * Whether an HTTP/1 request carries a body at all: Node's parser reads none without
 * `Content-Length` or `Transfer-Encoding`, so neither does the framework's body parser.
 */
export function nodeRequestHasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Reads a Node stream whole from its `data` and `end` events (cheaper than its async iterator), with
 * `keep` given each chunk. Past `maxBytes` it stops listening (the stream stays open, so the refusal
 * can still be sent on its connection) and rejects with `TG_BODY_TOO_LARGE`; a stream that fails or
 * closes before its end rejects with that cause.
 *
 * @example
 * const bytes = await collectNodeStream(req, 1_048_576);
 */
export function collectNodeStream(stream: Readable, maxBytes: number, keep?: (chunk: Buffer) => void): Promise<Uint8Array> {
  return new Promise<Uint8Array>((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    function onData(chunk: Buffer | string): void {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.byteLength;
      if (size > maxBytes) {
        stop();
        reject(new TollgateError('TG_BODY_TOO_LARGE'));
        return;
      }
      keep?.(bytes);
      parts.push(bytes);
    }
    function onEnd(): void {
      stop();
      resolve(joinBytes(parts, size));
    }
    function onError(error: Error): void {
      stop();
      reject(error);
    }
    function onClose(): void {
      stop();
      reject(new Error('the request body ended before it was complete'));
    }
    if (stream.readableEnded) return resolve(new Uint8Array(0));
    if (stream.destroyed) return reject(stream.errored ?? new Error('the request body was already gone'));
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.once('close', onClose);
  });
}

/** The raw body of a request as core reads it: the request stream itself, or nothing. */
export function nodeRawBody(req: IncomingMessage): BodySource {
  return nodeRequestHasBody(req) ? { kind: 'raw', chunks: () => req, collect: (maxBytes) => collectNodeStream(req, maxBytes) } : { kind: 'none' };
}

const noValues: readonly string[] = Object.freeze([]);

/** The values of the header `name` (lower case) in a flat `[name, value, …]` list, in arrival order. */
function valuesIn(raw: readonly string[], name: string): readonly string[] {
  let values: string[] | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const field = raw[i]!;
    if (field.length === name.length && (field === name || field.toLowerCase() === name)) (values ??= []).push(raw[i + 1]!);
  }
  return values ?? noValues;
}

/**
 * All values of a header, duplicates kept, `name` in lower case (as Node's `headersDistinct` keys are).
 * Read from `rawHeaders` for each name asked: a request pays for the few headers tollgate reads, where
 * `headersDistinct` builds an array for every header the client sent (about 2.8 KB of garbage a request
 * in the bad-key flood's profile). Request objects made by test tools (Fastify's `inject`,
 * light-my-request) may have only `headersDistinct` or `headers`.
 *
 * @example
 * const values = nodeHeaderValues(req);
 * values('authorization'); // ['Bearer a', 'Bearer b'] when the header came twice
 */
export function nodeHeaderValues(req: IncomingMessage): (name: string) => readonly string[] {
  const raw: unknown = req.rawHeaders;
  if (Array.isArray(raw) && raw.length > 0) return (name) => valuesIn(raw as string[], name);
  const distinct = req.headersDistinct as NodeJS.Dict<string[]> | undefined;
  if (distinct !== undefined) return (name) => distinct[name] ?? noValues;
  return (name) => {
    const value = req.headers[name];
    if (value === undefined) return noValues;
    return Array.isArray(value) ? value : [value];
  };
}

/** What an adapter knows beyond the IncomingMessage: the path it routes on and where the body is. */
export interface NodeRequestParts {
  /** The request path without the query string, as the framework sees it (after any rewrite). */
  readonly path: string;
  /** The matched route pattern, when the framework knows it. */
  readonly route?: string | undefined;
  /** How to get the body, called at most once and only when a step asks for it. */
  readonly body: () => BodySource;
}

/**
 * Core's view of a Node request: headers with duplicates kept, the socket peer, the TLS peer.
 * Proxy headers are not believed here; the pipeline's `trustProxy` decides.
 *
 * @example
 * const input = nodeRequestInput(req, { path: '/v1/models', body: () => nodeRawBody(req) });
 * const handle = pipeline.start(input);
 */
export function nodeRequestInput(req: IncomingMessage, parts: NodeRequestParts): RequestInput {
  return {
    method: req.method ?? 'GET',
    path: parts.path,
    route: parts.route,
    headerValues: nodeHeaderValues(req),
    remoteAddress: req.socket?.remoteAddress,
    tls: nodeTlsPeer(req),
    body: parts.body,
  };
}

/** The path of a URL without its query string. */
export function pathWithoutQuery(url: string): string {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}
