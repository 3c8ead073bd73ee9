// The adapter conformance scenarios (test/adapters/scenarios) against @tollgate/fastify.
import { fastifyApps } from './apps/index.js';
import { runConformance } from './run-conformance.js';

runConformance(fastifyApps);
