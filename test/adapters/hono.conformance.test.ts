// The adapter conformance scenarios (test/adapters/scenarios) against @tollgate/hono.
import { honoApps } from './apps/index.js';
import { runConformance } from './run-conformance.js';

runConformance(honoApps);
