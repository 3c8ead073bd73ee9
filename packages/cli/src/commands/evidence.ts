// `tollgate evidence <module>`: the endpoint-auth evidence pack, and a failure when an inference route is open.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { exitCodes, parseCommandArgs, UsageError, type CliCommand } from '../command.js';
import { collectEvidence } from '../evidence/collect-evidence.js';
import { evidenceFiles } from '../evidence/evidence-files.js';
import { loadEvidenceTarget } from '../evidence/evidence-target.js';

const usage = `Usage: tollgate evidence <app module> [--out DIR] [--export NAME] [--date YYYY-MM-DD] [--inference PATTERN]...

Loads the app module (an Express, Fastify, Hono or Koa app), serves the app on 127.0.0.1, lists every
route with the tollgate middleware in front of it, sends a request without credentials to every
inference route, and, when the module gives a credential, one authenticated request whose inference
record shows the tenant it is attributed to.
Writes endpoint-inventory-<date>.md, gateway-auth-config-<date>.json, denied-request-sample-<date>.txt
and tenant-attribution-sample-<date>.json.

The module default-exports the app, { app, credential, … } or a function returning either
(see docs/evidence.md). TypeScript modules load through tsx when the app's project has it.

  --out DIR            where the files go (default: ./evidence)
  --export NAME        the module's export to use (default: default, then evidence, then app)
  --date YYYY-MM-DD    the date in the file names (default: today, UTC)
  --inference PATTERN  also treat matching paths as inference routes (* within a segment, ** across)

Exit codes: 0 every inference route refused the request without credentials; 1 an inference route
answered it (named on stderr); 2 bad arguments or a module that could not be loaded; 3 the evidence
is incomplete (no inference route found, or no tenant-attribution sample).
`;

export const evidenceCommand: CliCommand = {
  path: ['evidence'],
  summary: 'write the endpoint-auth evidence pack for an app, and fail on an unprotected inference route',
  usage,
  async run(args, io) {
    const { positionals, values } = parseCommandArgs({
      args: [...args],
      allowPositionals: true,
      options: { out: { type: 'string' }, export: { type: 'string' }, date: { type: 'string' }, inference: { type: 'string', multiple: true } },
    });
    if (positionals.length !== 1) throw new UsageError('name exactly one app module');
    const date = values.date ?? new Date().toISOString().slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new UsageError(`--date must be YYYY-MM-DD; got ${JSON.stringify(date)}`);
    const module = positionals[0]!;
    const modulePath = resolve(io.cwd, module);
    const target = await loadEvidenceTarget(modulePath, values.export);
    try {
      const evidence = await collectEvidence(target, { inferenceRoutes: values.inference ?? [], moduleDir: dirname(modulePath) });
      const files = evidenceFiles(evidence, { module, date, authConfig: target.authConfig, secrets: target.credential === undefined ? [] : [target.credential.value] });
      const out = resolve(io.cwd, values.out ?? 'evidence');
      mkdirSync(out, { recursive: true });
      for (const file of files) writeFileSync(join(out, file.name), file.content, { mode: 0o644 });
      const inference = evidence.routes.filter((r) => r.inference);
      io.stdout(`${evidence.routes.length} routes, ${inference.length} inference routes; wrote ${files.length} files to ${out}\n`);
      for (const warning of evidence.warnings) io.stderr(`warning: ${warning}\n`);
      if (evidence.unprotected.length > 0) {
        for (const route of evidence.unprotected) io.stderr(`UNPROTECTED: ${route.method} ${route.path} answered ${route.probe?.status} to a request without credentials\n`);
        return exitCodes.failed;
      }
      const unproven = inference.filter((r) => r.denied === undefined);
      if (inference.length === 0 || unproven.length > 0 || evidence.attribution === undefined) return exitCodes.incomplete;
      io.stdout(`every inference route refused a request without credentials; tenant attribution: ${evidence.attribution.record.tenant_id}\n`);
      return exitCodes.ok;
    } finally {
      await target.close?.();
    }
  },
};
