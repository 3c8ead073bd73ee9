// Entry of `@tollgate/core/stub-upstream`: a deterministic OpenAI-compatible server for examples, tests, benchmarks.
export { startStubUpstream } from './stub-server.js';
export type { StubUpstream, StubUpstreamOptions } from './stub-server.js';
