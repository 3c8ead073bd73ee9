// The evidence files never show a store URL's password, wherever the app's config holds one.
import { describe, expect, it } from 'vitest';
import type { CollectedEvidence } from './collect-evidence.js';
import { evidenceFiles } from './evidence-files.js';

const evidence: CollectedEvidence = {
  generatedAt: new Date('2026-05-15T10:00:00Z'),
  framework: 'Express',
  baseUrl: 'http://127.0.0.1:1',
  routes: [],
  pipelines: new Map(),
  unprotected: [],
  unlisted: [],
  attribution: undefined,
  warnings: [],
};

describe('evidenceFiles', () => {
  it('writes a config holding store URLs with their passwords redacted, in every file', () => {
    const authConfig = {
      keyStore: { url: 'redis://default:r3dis-Pa55word@cache.internal:6379/0' },
      tenantStore: 'postgres://tollgate:pg-Pa55word@db.internal:5432/tollgate?sslmode=require',
      // A URL object as loadConfig callers may pass on, and a password holding an unescaped @.
      rateLimit: { store: { connection: new URL('rediss://:url-Pa55word@redis.internal') } },
      notes: ['fallback postgres://u:at@Pa55word@replica.internal/db'],
    };
    const files = evidenceFiles(evidence, { module: 'src/app.ts', date: '2026-05-15', authConfig, secrets: [] });
    expect(files).toHaveLength(4);
    const written = files.map((f) => f.content).join('\n');
    for (const password of ['r3dis-Pa55word', 'pg-Pa55word', 'url-Pa55word', 'at@Pa55word', 'Pa55word']) expect(written).not.toContain(password);
    const config = JSON.parse(files.find((f) => f.name.startsWith('gateway-auth-config-'))!.content) as { app_config: Record<string, unknown> };
    expect(config.app_config.keyStore).toEqual({ url: 'redis://default:[redacted]@cache.internal:6379/0' });
    expect(config.app_config.tenantStore).toBe('postgres://tollgate:[redacted]@db.internal:5432/tollgate?sslmode=require');
  });
});
