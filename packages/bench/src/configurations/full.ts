// The full chain with API keys and the memory store, per framework.
import { fullChainParts } from '../parts.js';
import { adapterPart, defineConfiguration, frameworks } from './define-configuration.js';

/** Inference log to a file, API key, tenant, validation, RBAC, request and token limits in memory. */
export const fullConfigurations = frameworks.map((framework) =>
  defineConfiguration({
    framework,
    variant: 'full',
    app: framework,
    chain: 'full',
    description: 'tollgate full chain: log to file, API key, tenant, validation, RBAC, request + token limits (memory)',
    parts: [adapterPart(framework), ...fullChainParts()],
  }),
);
