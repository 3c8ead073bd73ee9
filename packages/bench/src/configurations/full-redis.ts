// The full chain with five limits kept in Redis, per framework.
import { exportOf, fullChainParts, redisServer } from '../parts.js';
import { adapterPart, defineConfiguration, frameworks } from './define-configuration.js';

/** As `full`, with five limits over four scopes in Redis (one round trip to reserve them all). */
export const fullRedisConfigurations = frameworks.map((framework) =>
  defineConfiguration({
    framework,
    variant: 'full-redis',
    app: framework,
    chain: 'full-redis',
    description: 'tollgate full chain, five limits (requests, tokens, concurrency) in Redis',
    parts: [adapterPart(framework), ...fullChainParts(), exportOf('@tollgate/redis', 'redisRateLimitStore'), redisServer()],
  }),
);
