// @tollgate/cli: the `tollgate` command, and its parts for programmatic use.
export { runCli, commands, processIo } from './cli.js';
export { exitCodes, UsageError, type CliCommand, type CliIo } from './command.js';
export { loadEvidenceTarget, type EvidenceTarget } from './evidence/evidence-target.js';
export { collectEvidence, type CollectedEvidence, type RouteReport } from './evidence/collect-evidence.js';
export { evidenceFiles, type EvidenceFile, type EvidenceSource } from './evidence/evidence-files.js';
export { expressRoutes, type AppRoute, type AppRoutes } from './evidence/express-routes.js';
export { redactConfig, describePipeline, type PipelineDescription } from './evidence/auth-description.js';
