// Every configuration the harness knows, grouped by framework in report order.
import type { Configuration } from '../configuration.js';
import { apiKeyConfigurations } from './api-key.js';
import { bareConfigurations } from './bare.js';
import { frameworks } from './define-configuration.js';
import { fullJwtConfigurations } from './full-jwt.js';
import { fullRedisConfigurations } from './full-redis.js';
import { fullStreamConfigurations } from './full-stream.js';
import { fullConfigurations } from './full.js';
import { peerConfigurations } from './peers.js';
import { signalConfigurations } from './signal.js';

const variantOrder = ['bare', 'api-key', 'full', 'full-jwt', 'full-redis', 'peer', 'bare-stream', 'full-stream', 'bare-signal', 'full-signal'];

/** All configurations, by framework, then variant. */
export const allConfigurations: readonly Configuration[] = [
  ...bareConfigurations,
  ...apiKeyConfigurations,
  ...fullConfigurations,
  ...fullJwtConfigurations,
  ...fullRedisConfigurations,
  ...fullStreamConfigurations,
  ...peerConfigurations,
  ...signalConfigurations,
].sort((a, b) => frameworks.indexOf(a.framework) - frameworks.indexOf(b.framework) || variantOrder.indexOf(a.variant) - variantOrder.indexOf(b.variant));
