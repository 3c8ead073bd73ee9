// Every conformance scenario. A capability adds its file here (and, if it needs one, a mount in the fixture).
import type { Scenario } from '../scenario.js';
import { authenticationScenarios } from './authentication.js';
import { bodyEditScenarios } from './body-edits.js';
import { clientAbortScenarios } from './client-abort.js';
import { inferenceRecordScenarios } from './inference-record.js';
import { limitScenarios } from './limits.js';
import { outputHoldScenarios } from './output-hold.js';
import { requestBodyScenarios } from './request-body.js';
import { responseSideScenarios } from './response-side.js';
import { tenantAndPolicyScenarios } from './tenant-and-policy.js';

export const scenarioGroups: ReadonlyArray<{ readonly name: string; readonly scenarios: readonly Scenario[] }> = [
  { name: 'authentication', scenarios: authenticationScenarios },
  { name: 'request body', scenarios: requestBodyScenarios },
  { name: 'body edits by steps', scenarios: bodyEditScenarios },
  { name: 'response side', scenarios: responseSideScenarios },
  { name: 'output held for its check', scenarios: outputHoldScenarios },
  { name: 'client abort', scenarios: clientAbortScenarios },
  { name: 'tenant, policy and request checks', scenarios: tenantAndPolicyScenarios },
  { name: 'rate limits and budgets', scenarios: limitScenarios },
  { name: 'inference record', scenarios: inferenceRecordScenarios },
];
