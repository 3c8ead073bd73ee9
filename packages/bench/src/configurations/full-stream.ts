// The full chain on streamed answers, per framework: usage read from the SSE stream, metered and settled.
import { fullChainParts } from '../parts.js';
import { adapterPart, defineConfiguration, frameworks } from './define-configuration.js';

/** As `full`, with `stream: true`: tollgate asks for usage, watches every chunk and settles at the end. */
export const fullStreamConfigurations = frameworks.map((framework) =>
  defineConfiguration({
    framework,
    variant: 'full-stream',
    app: framework,
    chain: 'full',
    stream: true,
    description: 'tollgate full chain on a streamed answer (usage read from the stream, metered, settled)',
    parts: [adapterPart(framework), ...fullChainParts()],
  }),
);
