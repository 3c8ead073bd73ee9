// Peer stack: Express + pino-http + passport-http-bearer (opaque tokens in a Map) + express-rate-limit.
import { randomBytes } from 'node:crypto';
import express from 'express';
import { rateLimit } from 'express-rate-limit';
import passport from 'passport';
import { Strategy as BearerStrategy } from 'passport-http-bearer';
import { pinoHttp } from 'pino-http';
import { benchPath } from '../../bench-request.js';
import type { AppParts, ListeningApp } from './app-parts.js';
import { expressChatHandler, listenExpress } from './express-app.js';
import { peerLogger } from './peer-logging.js';

interface BenchUser {
  readonly id: string;
  readonly tenant: string;
}

/**
 * What teams wire by hand, doing less than tollgate: a plaintext token looked up in memory (no hashing,
 * no throttling), one request-count limit per user in memory, one log line per request; no tenant,
 * no policy, no body validation, no token accounting.
 *
 * @example
 * const app = await expressPassportApp({ chain: undefined, upstream, counters, workDir });
 */
export async function expressPassportApp({ upstream, counters, workDir }: AppParts): Promise<ListeningApp> {
  const token = randomBytes(32).toString('base64url');
  const users = new Map<string, BenchUser>([[token, { id: 'bench-user', tenant: 'acme' }]]);
  passport.use(new BearerStrategy((presented, done) => done(null, users.get(presented) ?? false)));
  const app = express();
  app.use(pinoHttp({ logger: peerLogger(workDir, 'express-passport') }));
  app.use('/v1', passport.authenticate('bearer', { session: false }));
  app.use(
    '/v1',
    rateLimit({
      windowMs: 60_000,
      limit: 1_000_000_000,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: (req) => (req.user as BenchUser).id,
    }),
  );
  app.post(benchPath, express.json({ limit: '1mb' }), expressChatHandler(upstream, counters));
  return listenExpress(app, { authorization: `Bearer ${token}` });
}
