// Fastify 5: the chat route alone, or in a `/v1` scope guarded by the tollgate plugin.
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { benchPath } from '../../bench-request.js';
import type { AppCounters } from '../app-counters.js';
import type { Upstream } from '../upstream.js';
import { isStreamed, routeSignal, type AppParts, type ListeningApp } from './app-parts.js';

type ChatHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** The route handler every Fastify configuration shares: Fastify's parsed body, the model call, the answer relayed. */
export function fastifyChatHandler(upstream: Upstream, counters: AppCounters, signal = false): ChatHandler {
  return async function chat(request, reply) {
    counters.add('requests');
    const tollgate = (request as { tollgate?: { signal: AbortSignal } }).tollgate;
    const answer = await upstream.chat(request.body, routeSignal(signal, tollgate, reply.raw));
    reply.code(answer.status).header('content-type', answer.contentType);
    return isStreamed(answer) ? Readable.from(answer.body) : answer.body;
  };
}

/** Starts a Fastify app on an ephemeral loopback port. */
export async function listenFastify(app: FastifyInstance, headers: Readonly<Record<string, string>>): Promise<ListeningApp> {
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, headers, close: () => app.close() };
}

/**
 * Fastify with the chat route; with a chain, the route sits in a `/v1` scope where the tollgate
 * plugin is registered.
 *
 * @example
 * const app = await fastifyApp({ chain, upstream, counters, workDir });
 */
export async function fastifyApp({ chain, upstream, counters, signal }: AppParts): Promise<ListeningApp> {
  const app = Fastify({ logger: false });
  const handler = fastifyChatHandler(upstream, counters, signal);
  if (chain === undefined) {
    app.post(benchPath, handler);
  } else {
    const { tollgate } = await import('@tollgate/fastify');
    await app.register(
      async (v1) => {
        await v1.register(tollgate, { chain: chain.gate });
        v1.post(benchPath.slice('/v1'.length), handler);
      },
      { prefix: '/v1' },
    );
  }
  return listenFastify(app, chain?.headers ?? {});
}
