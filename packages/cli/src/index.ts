// @tollgate/cli: the `tollgate` command, and its parts for programmatic use.
export { runCli, commands, processIo } from './cli.js';
export { exitCodes, UsageError, type CliCommand, type CliIo } from './command.js';
export { loadEvidenceTarget, type EvidenceTarget } from './evidence/evidence-target.js';
export { configuredEvidenceTarget, type ConfiguredTargetOptions } from './evidence/config-target.js';
export { collectEvidence, type CollectedEvidence, type CollectOptions, type RouteReport } from './evidence/collect-evidence.js';
export { evidenceFiles, type EvidenceFile, type EvidenceSource } from './evidence/evidence-files.js';
export type { AppFramework, AppRoute, AppRoutes, ServedApp } from './evidence/app-framework.js';
export { frameworkOf, frameworks } from './evidence/frameworks.js';
export { expressRoutes } from './evidence/express-routes.js';
export { fastifyRoutes } from './evidence/fastify-routes.js';
export { honoRoutes } from './evidence/hono-routes.js';
export { koaRoutes } from './evidence/koa-routes.js';
export { redactConfig, describePipeline, type PipelineDescription } from './evidence/auth-description.js';
