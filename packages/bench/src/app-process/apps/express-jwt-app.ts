// Peer stack: Express + pino-http + express-jwt (RS256, no verified-token cache) + express-rate-limit.
import express from 'express';
import { expressjwt } from 'express-jwt';
import { rateLimit } from 'express-rate-limit';
import { pinoHttp } from 'pino-http';
import { benchPath } from '../../bench-request.js';
import { benchJwtIssuer } from '../chains/bench-identity.js';
import type { AppParts, ListeningApp } from './app-parts.js';
import { expressChatHandler, listenExpress } from './express-app.js';
import { peerLogger } from './peer-logging.js';

/**
 * What teams wire by hand for JWTs, doing less than tollgate: signature, issuer and audience checked
 * on every request, one request-count limit per subject, one log line per request.
 *
 * @example
 * const app = await expressJwtApp({ chain: undefined, upstream, counters, workDir });
 */
export async function expressJwtApp({ upstream, counters, workDir }: AppParts): Promise<ListeningApp> {
  const issuer = await benchJwtIssuer();
  const app = express();
  app.use(pinoHttp({ logger: peerLogger(workDir, 'express-jwt') }));
  app.use('/v1', expressjwt({ secret: issuer.publicKeyPem, algorithms: [issuer.algorithm], issuer: issuer.issuer, audience: issuer.audience }));
  app.use(
    '/v1',
    rateLimit({
      windowMs: 60_000,
      limit: 1_000_000_000,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: (req) => String((req as { auth?: { sub?: unknown } }).auth?.sub),
    }),
  );
  app.post(benchPath, express.json({ limit: '1mb' }), expressChatHandler(upstream, counters));
  return listenExpress(app, { authorization: `Bearer ${issuer.token}` });
}
