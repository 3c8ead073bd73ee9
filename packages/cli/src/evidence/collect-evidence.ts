// Runs the app on loopback, lists and probes its routes, and takes an authenticated sample record.
import { randomBytes } from 'node:crypto';
import type { InferenceRecord, Pipeline } from '@tollgate/core';
import type { EvidenceTarget } from './evidence-target.js';
import { requireFramework } from './frameworks.js';
import { sendProbe, type ProbeTranscript } from './http-probe.js';
import { concretePath, isInferenceRoute, probeBody, routePattern } from './inference-routes.js';

/** One route as the evidence reports it. */
export interface RouteReport {
  readonly method: string;
  readonly path: string;
  readonly inference: boolean;
  /** Ids of the tollgate pipelines in front of it (`pipeline-1`, …). */
  readonly pipelines: readonly string[];
  /** Auth methods of those pipelines; empty means no tollgate authentication in front. */
  readonly authMethods: readonly string[];
  /** The unauthenticated request sent to it, when one was (inference routes, and GET routes). */
  readonly probe: ProbeTranscript | undefined;
  /** True when the unauthenticated request was refused (401 or 403). */
  readonly denied: boolean | undefined;
}

/** Everything the evidence files are made from. */
export interface CollectedEvidence {
  readonly generatedAt: Date;
  /** The app's framework, as the files name it (`Express`, `Fastify`, `Hono`, `Koa`). */
  readonly framework: string;
  /** Where the app was served during the run (loopback, a free port). */
  readonly baseUrl: string;
  readonly routes: readonly RouteReport[];
  readonly pipelines: ReadonlyMap<Pipeline, string>;
  /** Inference routes that answered a request without credentials. */
  readonly unprotected: readonly RouteReport[];
  /** What may answer requests but whose routes could not be read (see AppRoutes.unlisted). */
  readonly unlisted: readonly string[];
  readonly attribution: { readonly request: ProbeTranscript; readonly record: InferenceRecord } | undefined;
  readonly warnings: readonly string[];
}

type LogLike = NonNullable<EvidenceTarget['inferenceLog']>;

function findLog(pipelines: readonly Pipeline[]): LogLike | undefined {
  for (const pipeline of pipelines) {
    const step = pipeline.steps.find((s) => s.name === 'inferenceLog') as Partial<LogLike> | undefined;
    if (typeof step?.subscribe === 'function') return step as LogLike;
  }
  return undefined;
}

const requestId = (label: string) => `tg-evidence-${label}-${randomBytes(6).toString('hex')}`;
const jsonHeaders = { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'tollgate-evidence/1' };

/** The authenticated sample request, and the record the log wrote for it. */
async function takeAttribution(target: EvidenceTarget, log: LogLike, base: string, route: RouteReport | undefined, warnings: string[]): Promise<CollectedEvidence['attribution']> {
  const credential = target.credential!;
  const sample = target.sampleRequest ?? (route === undefined ? undefined : { method: route.method === 'ALL' ? 'POST' : route.method, path: concretePath(route.path) });
  if (sample === undefined) return undefined;
  const method = (sample.method ?? 'POST').toUpperCase();
  const id = requestId('attribution');
  const header = (credential.header ?? 'authorization').toLowerCase();
  const value = header === 'authorization' ? `Bearer ${credential.value}` : credential.value;
  const body = method === 'GET' || method === 'HEAD' ? undefined : JSON.stringify(sample.body ?? probeBody(sample.path));
  let found: InferenceRecord | undefined;
  let resolveRecord: () => void = () => undefined;
  const recorded = new Promise<void>((resolve) => (resolveRecord = resolve));
  const unsubscribe = log.subscribe((record) => {
    if (record.request_id !== id) return;
    found = record;
    resolveRecord();
  });
  try {
    const request = await sendProbe(base, { method, path: sample.path, headers: { ...jsonHeaders, 'x-request-id': id, [header]: value }, ...(body === undefined ? {} : { body }) });
    await Promise.race([recorded, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (found === undefined) {
      warnings.push(`the authenticated sample request (${method} ${sample.path}, status ${request.status}) left no inference record within 5 s`);
      return undefined;
    }
    if (found.tenant_id === null) warnings.push(`the authenticated sample request was recorded without a tenant id (status ${request.status})`);
    return { request, record: found };
  } finally {
    unsubscribe();
  }
}

/** Options of {@link collectEvidence}. */
export interface CollectOptions {
  /** More paths to treat as inference routes (the command's `--inference`). */
  readonly inferenceRoutes?: readonly (string | RegExp)[];
  /** Where the app module is: packages the app needs to be served (`@hono/node-server`) are found from here. @default process.cwd() */
  readonly moduleDir?: string;
}

/**
 * Serves the target's app on 127.0.0.1, lists its routes, sends an unauthenticated request to every
 * inference route (and to GET routes), and, given a credential, one authenticated request whose
 * inference record becomes the tenant-attribution sample. The caller closes the target.
 *
 * @example
 * const evidence = await collectEvidence(await loadEvidenceTarget('./src/evidence.ts'));
 * evidence.unprotected.map((r) => `${r.method} ${r.path}`) // [] when every inference route needs auth
 */
export async function collectEvidence(target: EvidenceTarget, options: CollectOptions = {}): Promise<CollectedEvidence> {
  const framework = requireFramework(target.app);
  const patterns = [...(target.inferenceRoutes ?? []), ...(options.inferenceRoutes ?? [])].map(routePattern);
  const warnings: string[] = [];
  const served = await framework.serve(target.app, options.moduleDir ?? process.cwd());
  const base = served.baseUrl;
  try {
    const found = framework.routes(target.app);
    const pipelineIds = new Map(found.pipelines.map((p, i) => [p, `pipeline-${i + 1}`]));
    const routes: RouteReport[] = [];
    for (const route of found.routes) {
      const inference = isInferenceRoute(route.path, patterns, route.guards, route.method);
      const authMethods = [...new Set(route.guards.flatMap((g) => (g.steps.find((s) => s.name === 'authenticate') as { methods?: readonly { name: string }[] } | undefined)?.methods?.map((m) => m.name) ?? []))];
      const method = route.method === 'ALL' ? (inference ? 'POST' : 'GET') : route.method;
      // Only inference routes (the point of the evidence) and safe methods are sent a request.
      const sendable = inference || method === 'GET' || method === 'HEAD';
      const path = concretePath(route.path);
      const body = inference && method !== 'GET' && method !== 'HEAD' ? JSON.stringify(probeBody(path)) : undefined;
      let probe: ProbeTranscript | undefined;
      if (sendable) {
        try {
          probe = await sendProbe(base, { method, path, headers: { ...jsonHeaders, 'x-request-id': requestId('denied') }, ...(body === undefined ? {} : { body }) });
        } catch (error) {
          warnings.push(`${method} ${path}: the unauthenticated request got no answer (${error instanceof Error ? error.message : String(error)})`);
        }
      }
      routes.push({
        method: route.method, path: route.path, inference, authMethods, probe,
        pipelines: route.guards.map((g) => pipelineIds.get(g)!),
        denied: probe === undefined ? undefined : probe.status === 401 || probe.status === 403,
      });
    }
    const inferenceRoutes = routes.filter((r) => r.inference);
    if (inferenceRoutes.length === 0) warnings.push('no inference route was found; name them with inferenceRoutes in the module or --inference');
    const log = target.inferenceLog ?? findLog(found.pipelines);
    let attribution: CollectedEvidence['attribution'];
    if (target.credential === undefined) warnings.push('the module gives no credential, so there is no tenant-attribution sample');
    else if (log === undefined) warnings.push('no inference log was found in the app’s tollgate pipelines, so there is no tenant-attribution sample');
    else {
      // The sample goes to an authenticated inference route that takes a body, when there is one.
      const withBody = inferenceRoutes.filter((r) => r.method !== 'GET');
      const sampleRoute = withBody.find((r) => r.authMethods.length > 0) ?? withBody[0] ?? inferenceRoutes[0];
      attribution = await takeAttribution(target, log, base, sampleRoute, warnings);
    }
    return {
      generatedAt: new Date(),
      framework: framework.name,
      baseUrl: base,
      routes,
      pipelines: pipelineIds,
      unprotected: inferenceRoutes.filter((r) => r.denied === false),
      unlisted: found.unlisted,
      attribution,
      warnings,
    };
  } finally {
    await served.close();
  }
}
