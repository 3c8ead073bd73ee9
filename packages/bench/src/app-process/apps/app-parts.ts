// What every app builder gets (the chain, the model, the counters) and what it gives back (a listening server).
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppCounters } from '../app-counters.js';
import type { BuiltChain } from '../chains/build-chain.js';
import type { Upstream, UpstreamReply } from '../upstream.js';

/** The pieces an app is built from. */
export interface AppParts {
  /** The tollgate chain in front of the route; undefined for the bare route and for peer stacks. */
  readonly chain: BuiltChain | undefined;
  readonly upstream: Upstream;
  readonly counters: AppCounters;
  /** Where peer stacks write their request logs. */
  readonly workDir: string;
  /** Pass an AbortSignal to the model call (see AppSpec.signal); otherwise the call takes none. */
  readonly signal: boolean;
  /** Record each 200 answer's time from arrival to the response's end in `counters` (Express only). */
  readonly timeAnswers?: boolean;
}

/** An app listening on loopback. */
export interface ListeningApp {
  readonly url: string;
  /** Headers a valid request carries (credentials). */
  readonly headers: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/** Builds and starts one app. */
export type AppBuilder = (parts: AppParts) => Promise<ListeningApp>;

/** The URL of a server listening on loopback. */
export function serverUrl(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes a Node server and its idle keep-alive connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * The signal a route passes to its model call: none unless asked; tollgate's `context.signal` when a
 * chain runs; else one of the route's own, aborted when the client leaves (what a bare app would do).
 */
export function routeSignal(wanted: boolean, tollgate: { readonly signal: AbortSignal } | undefined, res: ServerResponse): AbortSignal | undefined {
  if (!wanted) return undefined;
  if (tollgate !== undefined) return tollgate.signal;
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new Error('client disconnected'));
  });
  return controller.signal;
}

/** Whether the reply is a stream to relay chunk by chunk (else one Buffer). */
export function isStreamed(reply: UpstreamReply): reply is UpstreamReply & { body: AsyncIterable<Buffer> } {
  return !Buffer.isBuffer(reply.body);
}
