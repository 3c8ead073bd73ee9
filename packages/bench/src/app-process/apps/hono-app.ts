// Hono 4 on @hono/node-server: the chat route alone, or behind the tollgate middleware on `/v1/*`.
import type { Server, ServerResponse } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { TollgateEnv } from '@tollgate/hono';
import { benchPath } from '../../bench-request.js';
import { closeServer, isStreamed, routeSignal, serverUrl, type AppParts, type ListeningApp } from './app-parts.js';

/** A web stream over an async iterable of chunks, pulled as the server writes. */
function webStream(chunks: AsyncIterable<Buffer>): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/**
 * Hono with the chat route; with a chain, `tollgate(gate)` runs on `/v1/*` and the handler reads
 * the body tollgate already parsed from Hono's body cache.
 *
 * @example
 * const app = await honoApp({ chain, upstream, counters, workDir });
 */
export async function honoApp({ chain, upstream, counters, signal }: AppParts): Promise<ListeningApp> {
  // A type-only import: the bare app never loads @tollgate/hono.
  const app = new Hono<TollgateEnv>();
  if (chain !== undefined) {
    const { tollgate } = await import('@tollgate/hono');
    app.use('/v1/*', tollgate(chain.gate));
  }
  app.post(benchPath, async (c) => {
    counters.add('requests');
    const tollgate = c.get('tollgate') as TollgateEnv['Variables']['tollgate'] | undefined;
    const reply = await upstream.chat(await c.req.json(), routeSignal(signal, tollgate, (c.env as { outgoing: ServerResponse }).outgoing));
    const headers = { 'content-type': reply.contentType };
    const status = reply.status as 200;
    if (isStreamed(reply)) return c.body(webStream(reply.body), status, headers);
    return c.body(new Uint8Array(reply.body as Buffer), status, headers);
  });
  const server = await new Promise<Server>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started as Server));
  });
  return { url: serverUrl(server), headers: chain?.headers ?? {}, close: () => closeServer(server) };
}
