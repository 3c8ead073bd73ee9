// Builds core's RequestInput from a Node IncomingMessage, for the adapters of Node-based frameworks.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { BodySource, RequestInput, TlsPeer } from '../request/tg-request.js';

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

/** The raw body of a request as core reads it: the request stream itself, or nothing. */
export function nodeRawBody(req: IncomingMessage): BodySource {
  return nodeRequestHasBody(req) ? { kind: 'raw', chunks: () => req } : { kind: 'none' };
}

/**
 * All values of each header, duplicates kept. Node's `headersDistinct` where there is one; request
 * objects made by test tools (Fastify's `inject`, light-my-request) have only `rawHeaders`/`headers`.
 */
function distinctHeaders(req: IncomingMessage): (name: string) => readonly string[] {
  if (req.headersDistinct !== undefined) return (name) => req.headersDistinct[name] ?? [];
  const byName = new Map<string, string[]>();
  if (Array.isArray(req.rawHeaders) && req.rawHeaders.length > 0) {
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!.toLowerCase();
      byName.set(name, [...(byName.get(name) ?? []), req.rawHeaders[i + 1]!]);
    }
  } else {
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) byName.set(name, Array.isArray(value) ? value : [value]);
    }
  }
  return (name) => byName.get(name) ?? [];
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
    headerValues: distinctHeaders(req),
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
