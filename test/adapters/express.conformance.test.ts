// The adapter conformance scenarios (test/adapters/scenarios) against @tollgate/express.
import { expressApps } from './apps/index.js';
import { runConformance } from './run-conformance.js';

runConformance(expressApps);
