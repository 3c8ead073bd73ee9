// Koa 3: the chat route alone, or behind the tollgate middleware; the route reads the JSON body itself.
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import Koa from 'koa';
import { benchPath } from '../../bench-request.js';
import { closeServer, isStreamed, routeSignal, serverUrl, type AppParts, type ListeningApp } from './app-parts.js';

/** What a JSON body parser does (Koa has none built in): read the stream, parse it. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/**
 * Koa with the chat route; with a chain, `tollgate(gate)` runs first and leaves the body it parsed
 * on `ctx.request.body`, which the route then uses instead of reading the stream.
 *
 * @example
 * const app = await koaApp({ chain, upstream, counters, workDir });
 */
export async function koaApp({ chain, upstream, counters, signal }: AppParts): Promise<ListeningApp> {
  const app = new Koa();
  if (chain !== undefined) {
    const { tollgate } = await import('@tollgate/koa');
    const guard = tollgate(chain.gate);
    app.use((ctx, next) => (ctx.path.startsWith('/v1/') ? guard(ctx, next) : next()));
  }
  app.use(async (ctx) => {
    if (ctx.method !== 'POST' || ctx.path !== benchPath) return;
    counters.add('requests');
    const parsed = (ctx.request as { body?: unknown }).body;
    const body = parsed === undefined ? await readJson(ctx.req) : parsed;
    const reply = await upstream.chat(body, routeSignal(signal, ctx.state.tollgate, ctx.res));
    ctx.status = reply.status;
    ctx.type = reply.contentType;
    ctx.body = isStreamed(reply) ? Readable.from(reply.body) : reply.body;
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: serverUrl(server), headers: chain?.headers ?? {}, close: () => closeServer(server) };
}
