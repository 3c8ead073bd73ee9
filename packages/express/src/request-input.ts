// Translates an Express request into core's RequestInput.
import type { RequestInput, TlsPeer } from '@tollgate/core';
import type { Request } from 'express';
import type { TLSSocket } from 'node:tls';

function tlsPeer(req: Request): TlsPeer | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (socket.encrypted !== true || typeof socket.getPeerCertificate !== 'function') return undefined;
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

/** Builds core's view of an Express request; the body is only touched when a step asks for it. */
export function requestInput(req: Request): RequestInput {
  const url = req.originalUrl ?? req.url;
  const query = url.indexOf('?');
  return {
    method: req.method,
    path: query < 0 ? url : url.slice(0, query),
    route: req.route === undefined ? undefined : `${req.baseUrl}${String((req.route as { path: unknown }).path)}`,
    headerValues: (name) => req.headersDistinct[name] ?? [],
    remoteAddress: req.socket.remoteAddress,
    tls: tlsPeer(req),
    body() {
      if (req.body !== undefined) return { kind: 'parsed', value: req.body as unknown };
      const length = req.headers['content-length'];
      if (req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) return { kind: 'none' };
      return { kind: 'raw', chunks: () => req };
    },
  };
}
