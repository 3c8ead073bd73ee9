// examples/fastify-gateway as a user runs it: the shared example smoke test (gateway-example-suite.ts).
import { describeGatewayExample } from './gateway-example-suite.js';

describeGatewayExample('fastify-gateway');
