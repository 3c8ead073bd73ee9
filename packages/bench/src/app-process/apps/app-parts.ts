// What every app builder gets (the chain, the model, the counters) and what it gives back (a listening server).
import type { Server } from 'node:http';
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

/** Whether the reply is a stream to relay chunk by chunk (else one Buffer). */
export function isStreamed(reply: UpstreamReply): reply is UpstreamReply & { body: AsyncIterable<Buffer> } {
  return !Buffer.isBuffer(reply.body);
}
