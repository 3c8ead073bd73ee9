// The cost of cancelling the model call when the client leaves: the route passes an AbortSignal to node:http.
import { fullChainParts } from '../parts.js';
import { adapterPart, defineConfiguration } from './define-configuration.js';

/**
 * Fastify only (the harness's run time grows with every row): the bare route with an AbortSignal of its
 * own, compared with the bare route, shows what the signal costs in node:http; the full chain passing
 * tollgate's `context.signal`, compared with that, shows what tollgate costs on such a route.
 */
export const signalConfigurations = [
  defineConfiguration({
    framework: 'fastify',
    variant: 'bare-signal',
    app: 'fastify',
    signal: true,
    description: 'the route alone, passing an AbortSignal (aborted when the client leaves) to the model call',
  }),
  defineConfiguration({
    framework: 'fastify',
    variant: 'full-signal',
    app: 'fastify',
    chain: 'full',
    signal: true,
    baseline: 'fastify/bare-signal',
    description: 'tollgate full chain, the route passing context.signal to the model call; compared with bare-signal',
    parts: [adapterPart('fastify'), ...fullChainParts()],
  }),
];
