// The tenant file `{ tenants: Tenant[] }` as YAML or JSON: parsing with line numbers for mistakes, and writing.
import { extname } from 'node:path';
import { stringify } from 'yaml';
import { parseSource, type ConfigFormat } from '../config/config-source.js';
import type { Tenant } from '../context/principal.js';
import { ConfigError } from '../errors/tollgate-error.js';
import { parseTenantRecord } from './tenant-record-schema.js';

/**
 * The format of a tenant file from its extension (`.yaml`, `.yml`, `.json`); throws a ConfigError otherwise.
 *
 * @example
 * tenantFileFormat('/etc/tollgate/tenants.yaml') // 'yaml'
 */
export function tenantFileFormat(path: string): ConfigFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json') return 'json';
  throw new ConfigError(`Tenant file ${path} must end in .yaml, .yml or .json to say its format; got "${ext}"`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses and validates a tenant file's text with the config parser (strict JSON, YAML 1.2, duplicate
 * keys refused). An empty file holds no tenants. Throws a ConfigError naming the file and the line and
 * column of a syntax error, or the line and index of a bad or duplicate tenant.
 *
 * @example
 * const tenants = parseTenantFile(readFileSync(path, 'utf8'), 'yaml', path);
 */
export function parseTenantFile(text: string, format: ConfigFormat, file: string): Tenant[] {
  if (text.trim() === '') return [];
  const parsed = parseSource(text, format);
  if (!parsed.ok) {
    const first = parsed.problems[0]!;
    throw new ConfigError(`Tenant file ${file}:${first.position.line}:${first.position.col} ${first.message}`);
  }
  const { data } = parsed;
  if (data === null || data === undefined) return [];
  if (!isPlainObject(data)) throw new ConfigError(`Tenant file ${file} must hold a mapping with a "tenants" list`);
  const unknown = Object.keys(data).filter((name) => name !== 'tenants');
  if (unknown.length > 0) {
    const at = parsed.locate([unknown[0]!], 'key');
    throw new ConfigError(`Tenant file ${file}:${at.line}:${at.col} has unknown top-level fields: ${unknown.join(', ')}; only "tenants" is allowed`);
  }
  if (!Array.isArray(data.tenants)) throw new ConfigError(`Tenant file ${file} must have a "tenants" list`);
  const place = (index: number): string => `${file} line ${parsed.locate(['tenants', index]).line} (tenants[${index}])`;
  const seen = new Map<string, number>();
  return data.tenants.map((value: unknown, index) => {
    const tenant = parseTenantRecord(value, place(index));
    const first = seen.get(tenant.id);
    if (first !== undefined) throw new ConfigError(`Tenant file ${file} has tenant id "${tenant.id}" twice: ${place(first)} and ${place(index)}`);
    seen.set(tenant.id, index);
    return tenant;
  });
}

/**
 * The text of a tenant file holding `tenants`, in the given format.
 *
 * @example
 * await writeFile(path, serializeTenantFile(tenants, 'yaml'));
 */
export function serializeTenantFile(tenants: readonly Tenant[], format: ConfigFormat): string {
  const document = { tenants };
  return format === 'yaml' ? stringify(document, { lineWidth: 0 }) : `${JSON.stringify(document, null, 2)}\n`;
}
