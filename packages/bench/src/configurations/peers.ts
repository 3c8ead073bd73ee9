// The stacks teams build by hand from npm, on the same route, to compare the full chain with.
import { defineConfiguration } from './define-configuration.js';

/** Express + passport-http-bearer, Express + express-jwt, Fastify + @fastify/jwt; each with a rate limit and a request log. */
export const peerConfigurations = [
  defineConfiguration({
    framework: 'express',
    variant: 'peer',
    label: 'peer-passport',
    app: 'express-passport',
    description: 'peer: pino-http + passport-http-bearer (token in a Map) + express-rate-limit',
  }),
  defineConfiguration({
    framework: 'express',
    variant: 'peer',
    label: 'peer-express-jwt',
    app: 'express-jwt',
    description: 'peer: pino-http + express-jwt (RS256, every request) + express-rate-limit',
  }),
  defineConfiguration({
    framework: 'fastify',
    variant: 'peer',
    label: 'peer-fastify-jwt',
    app: 'fastify-jwt',
    description: 'peer: Fastify logger + @fastify/jwt (RS256, every request) + @fastify/rate-limit',
  }),
];
