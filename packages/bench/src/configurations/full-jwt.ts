// The full chain with RS256 JWTs (verified-token cache) instead of API keys, per framework.
import { exportOf, fullChainParts } from '../parts.js';
import { adapterPart, defineConfiguration, frameworks } from './define-configuration.js';

/** As `full`, authenticating a signed JWT (static public key, verified-token cache). */
export const fullJwtConfigurations = frameworks.map((framework) =>
  defineConfiguration({
    framework,
    variant: 'full-jwt',
    app: framework,
    chain: 'full-jwt',
    description: 'tollgate full chain with an RS256 JWT (verified-token cache) instead of an API key',
    parts: [adapterPart(framework), ...fullChainParts(), exportOf('@tollgate/core', 'jwt')],
  }),
);
