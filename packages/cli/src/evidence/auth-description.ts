// What the auth configuration of an app is, written so that an auditor can read it and no secret leaves.
import { scrubCredentials, type Pipeline } from '@tollgate/core';

/** One tollgate pipeline as the evidence files describe it. */
export interface PipelineDescription {
  readonly id: string;
  /** The steps in the order they run. */
  readonly steps: readonly string[];
  /** The accepted credentials; empty when the pipeline does not authenticate. */
  readonly authentication: readonly { readonly method: string; readonly credential_headers: readonly string[] }[];
}

/**
 * Describes a pipeline: its steps and, for its `authenticate` step, each method with the headers it
 * reads its credential from.
 *
 * @example
 * describePipeline(gate, 'pipeline-1') // { id: 'pipeline-1', steps: ['inferenceLog', 'authenticate'], authentication: [{ method: 'api_key', credential_headers: ['authorization: Bearer', 'x-api-key'] }] }
 */
export function describePipeline(pipeline: Pipeline, id: string): PipelineDescription {
  const authn = pipeline.steps.find((s) => s.name === 'authenticate') as { methods?: readonly { name: string; headers?: readonly string[] }[] } | undefined;
  return {
    id,
    steps: pipeline.steps.map((s) => s.name),
    authentication: (authn?.methods ?? []).map((m) => ({ method: m.name, credential_headers: ['authorization: Bearer', ...(m.headers ?? [])] })),
  };
}

// Field names whose values are secrets, whatever their case or separators.
const secretField = /(?:secret|password|passwd|credential|authorization|cookie|private|token|apikey|key)$/i;

/**
 * A deep copy of a configuration with secrets replaced: values of fields named like a secret
 * (`hashKey`, `clientSecret`, `token`, …) become `[redacted]`, strings are scanned for credentials,
 * functions are left out and class instances are named but not expanded.
 *
 * @example
 * redactConfig({ inferenceLog: { hashKey: 'x'.repeat(32) }, errors: { realm: 'api' } })
 * // { inferenceLog: { hashKey: '[redacted]' }, errors: { realm: 'api' } }
 */
export function redactConfig(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubCredentials(value);
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' || typeof value === 'symbol' ? String(value) : value;
  if (depth > 8) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => redactConfig(item, depth + 1));
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== null && proto !== Object.prototype) return `[${(value.constructor as { name?: string } | undefined)?.name ?? 'object'}]`;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // Methods of stores and steps say nothing about the configuration.
    if (typeof item === 'function') continue;
    const name = key.replace(/[-_]/g, '');
    const secret = secretField.test(name) && item !== undefined && item !== null && typeof item !== 'boolean';
    out[key] = secret ? '[redacted]' : redactConfig(item, depth + 1);
  }
  return out;
}
