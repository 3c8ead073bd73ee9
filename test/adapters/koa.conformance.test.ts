// The adapter conformance scenarios (test/adapters/scenarios) against @tollgate/koa.
import { koaApps } from './apps/index.js';
import { runConformance } from './run-conformance.js';

runConformance(koaApps);
