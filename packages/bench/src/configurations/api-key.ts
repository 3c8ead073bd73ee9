// tollgate with API keys only, per framework: the cost of authentication on a verified-key cache hit.
import { exportOf } from '../parts.js';
import { adapterPart, defineConfiguration, frameworks } from './define-configuration.js';

/** `gate({ authenticate: [apiKey] })` in front of the route. */
export const apiKeyConfigurations = frameworks.map((framework) =>
  defineConfiguration({
    framework,
    variant: 'api-key',
    app: framework,
    chain: 'api-key',
    description: 'tollgate: API key only (argon2id once, then the verified-key cache)',
    parts: [adapterPart(framework), exportOf('@tollgate/core', 'apiKey')],
  }),
);
