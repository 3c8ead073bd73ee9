// Peer stack: Fastify (its pino logger to a file) + @fastify/jwt (RS256) + @fastify/rate-limit.
import fastifyJwt from '@fastify/jwt';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { benchPath } from '../../bench-request.js';
import { benchJwtIssuer } from '../chains/bench-identity.js';
import type { AppParts, ListeningApp } from './app-parts.js';
import { fastifyChatHandler, listenFastify } from './fastify-app.js';
import { peerLogger } from './peer-logging.js';

/**
 * What teams wire by hand on Fastify, doing less than tollgate: the token verified on every request
 * (fast-jwt, no cache), one request-count limit per subject after authentication, Fastify's own
 * request logging to a file.
 *
 * @example
 * const app = await fastifyJwtApp({ chain: undefined, upstream, counters, workDir });
 */
export async function fastifyJwtApp({ upstream, counters, workDir }: AppParts): Promise<ListeningApp> {
  const issuer = await benchJwtIssuer();
  // A pino logger is a FastifyBaseLogger; the cast only keeps Fastify's default logger type for the helpers.
  const app = Fastify({ loggerInstance: peerLogger(workDir, 'fastify-jwt') as FastifyBaseLogger });
  await app.register(fastifyJwt, {
    secret: { public: issuer.publicKeyPem },
    verify: { algorithms: [issuer.algorithm], allowedIss: issuer.issuer, allowedAud: issuer.audience },
  });
  app.addHook('onRequest', async (request) => {
    await request.jwtVerify();
  });
  await app.register(fastifyRateLimit, {
    max: 1_000_000_000,
    timeWindow: '1 minute',
    hook: 'preHandler',
    keyGenerator: (request) => String((request.user as { sub?: unknown }).sub),
  });
  app.post(benchPath, fastifyChatHandler(upstream, counters));
  return listenFastify(app, { authorization: `Bearer ${issuer.token}` });
}
