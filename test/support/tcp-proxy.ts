// A loopback TCP proxy a test can cut and restore: a database that "goes away and comes back" without stopping the shared server.
import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';

/** A proxy in front of `target`; `url(base)` rewrites a URL to go through it. */
export interface BreakableProxy {
  readonly port: number;
  /** The URL with its host and port replaced by the proxy's. */
  url(base: string): string;
  /** Closes every connection at once (as a network failure would) and refuses new ones. */
  cut(): Promise<void>;
  /** Accepts connections again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a proxy on a free loopback port that forwards to `host:port`.
 *
 * @example
 * const proxy = await startBreakableProxy('127.0.0.1', 5432);
 * const store = await postgresKeyStore({ url: proxy.url(process.env.DATABASE_URL!) });
 * await proxy.cut(); await proxy.restore();
 */
export async function startBreakableProxy(host: string, port: number): Promise<BreakableProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let listenPort = 0;
  const open = async (): Promise<void> => {
    const next = createServer((client) => {
      const upstream = connect(port, host);
      sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
    next.listen(listenPort, '127.0.0.1');
    await once(next, 'listening');
    listenPort = (next.address() as { port: number }).port;
    server = next;
  };
  const cut = async (): Promise<void> => {
    const current = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (current !== undefined) await new Promise<void>((resolve) => current.close(() => resolve()));
  };
  await open();
  return {
    get port() {
      return listenPort;
    },
    url(base) {
      const url = new URL(base);
      url.hostname = '127.0.0.1';
      url.port = String(listenPort);
      return url.toString();
    },
    cut,
    restore: open,
    close: cut,
  };
}
