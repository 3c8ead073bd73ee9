// A real Express app behind tollgate's authenticate step, over a real socket (http or https), for the auth suites.
import { once } from 'node:events';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest, type ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import express from 'express';
import { gate, type AuthMethod, type Gate, type TrustProxy } from '@tollgate/core';
import { tollgate } from '@tollgate/express';

/** What a test reads from a response. */
export interface AuthResult {
  readonly status: number;
  /** `error.tg_code` for refusals. */
  readonly code: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** The principal and authn decision, for 200s. */
  readonly body: { principal?: Record<string, unknown>; authn?: Record<string, unknown>; error?: Record<string, unknown> };
}

export interface AuthApp {
  readonly url: string;
  readonly gate: Gate;
  /** GET /v1/whoami with these headers. */
  call(headers?: Record<string, string>): Promise<AuthResult>;
  /** GET /v1/whoami with `Authorization: Bearer <token>`. */
  bearer(token: string): Promise<AuthResult>;
  /** Sends raw request bytes (duplicate headers, invalid UTF-8) and returns the status. */
  raw(head: Buffer | string): Promise<number>;
  close(): Promise<void>;
}

export interface AuthAppOptions {
  readonly optional?: boolean;
  readonly trustProxy?: TrustProxy;
  readonly maxCredentialLength?: number;
  /** Node's limit on request header bytes (to let oversized credentials reach tollgate). @default Node's 16 KB */
  readonly maxHeaderSize?: number;
  /** Serve https with these options (key, cert, ca, requestCert, rejectUnauthorized). */
  readonly https?: ServerOptions;
}

async function toResult(status: number, headers: Record<string, string>, text: string): Promise<AuthResult> {
  let body: AuthResult['body'] = {};
  try {
    body = JSON.parse(text) as AuthResult['body'];
  } catch {
    // Node's own refusals (431, 400 from the parser) have no JSON body.
  }
  return { status, code: body.error?.['tg_code'] as string | undefined, headers, body };
}

/**
 * Starts the app on 127.0.0.1.
 *
 * @example
 * const app = await startAuthApp([jwt({ ... })]);
 * expect((await app.bearer(token)).status).toBe(200);
 */
export async function startAuthApp(methods: readonly AuthMethod[], options: AuthAppOptions = {}): Promise<AuthApp> {
  const tg = gate({
    authenticate: { methods, ...(options.optional === undefined ? {} : { optional: options.optional }), ...(options.maxCredentialLength === undefined ? {} : { maxCredentialLength: options.maxCredentialLength }) },
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
  });
  const app = express();
  app.use('/v1', tollgate(tg));
  app.get('/v1/whoami', (req, res) => void res.json({ principal: req.auth ?? null, authn: req.tollgate?.decisions.authn }));
  const limits = options.maxHeaderSize === undefined ? {} : { maxHeaderSize: options.maxHeaderSize };
  const server: Server = options.https === undefined ? createHttpServer(limits, app) : createHttpsServer({ ...limits, ...options.https }, app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const url = `${options.https === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;
  const call = async (headers: Record<string, string> = {}): Promise<AuthResult> => {
    const res = await fetch(`${url}/v1/whoami`, { headers });
    return toResult(res.status, Object.fromEntries(res.headers), await res.text());
  };
  return {
    url,
    gate: tg,
    call,
    bearer: (token) => call({ authorization: `Bearer ${token}` }),
    async raw(head) {
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      socket.end(head);
      const chunks: Buffer[] = [];
      for await (const chunk of socket) chunks.push(chunk as Buffer);
      return Number(/^HTTP\/1\.1 (\d{3})/.exec(Buffer.concat(chunks).toString('latin1'))?.[1] ?? 0);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await tg.close();
    },
  };
}

/**
 * GET over https with a client certificate (or none), for mTLS tests.
 *
 * @example
 * await httpsCall(app.url, { ca: caPem, cert, key });
 */
export async function httpsCall(url: string, tls: { ca: string; cert?: string; key?: string }, headers: Record<string, string> = {}): Promise<AuthResult> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${url}/v1/whoami`, { ...tls, headers, agent: false, servername: 'localhost' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const flat = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));
        toResult(res.statusCode ?? 0, flat, Buffer.concat(chunks).toString('utf8')).then(resolve, reject);
      });
    });
    req.on('error', reject);
    req.end();
  });
}
