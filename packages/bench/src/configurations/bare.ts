// Baselines: each framework's chat route with nothing in front, whole and streamed.
import { defineConfiguration, frameworks } from './define-configuration.js';

/** The bare route per framework: what every ratio is measured against. */
export const bareConfigurations = frameworks.flatMap((framework) => [
  defineConfiguration({ framework, variant: 'bare', app: framework, description: 'the route alone: parse JSON, call the model, relay the answer' }),
  defineConfiguration({ framework, variant: 'bare-stream', app: framework, stream: true, description: 'the route alone, streaming the answer (SSE)' }),
]);
