// Under Node's permission model: core loads without native addons, API keys say what to allow, and work once allowed.
import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const core = pathToFileURL(fileURLToPath(new URL('../../packages/core/dist/index.js', import.meta.url))).href;

// Prints one line per step, so each assertion names what happened (ESM: core's dist, built by `pnpm test`).
const script = `
const { apiKey, createApiKey, jwt, memoryKeyStore } = await import(${JSON.stringify(core)});
const method = jwt({ issuer: 'https://issuer.example/', audience: 'api', algorithms: ['RS256'], jwksUri: 'https://issuer.example/jwks' });
console.log('jwt: ' + method.name);
try {
  const store = memoryKeyStore();
  const keys = apiKey({ store });
  const { key, record } = await createApiKey({ subject: 'permission-model', env: 'live' });
  await store.put(record);
  const verified = await keys.verify({ value: key, header: 'authorization' }, { clientIp: '192.0.2.1' });
  console.log('apiKey: verified ' + verified.principal.subject);
  await keys.close?.();
} catch (error) {
  console.log('apiKey: ' + error.name + ' ' + error.code + ' ' + error.message);
}
`;

async function underPermissionModel(allow: readonly string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--experimental-permission', '--allow-fs-read=*', ...allow, '--input-type=module', '-e', script], { timeout: 30_000 });
  return stdout;
}

describe("Node's permission model", () => {
  it('loads core without addons; apiKey() then fails at startup with a ConfigError that names --allow-addons', async () => {
    const stdout = await underPermissionModel([]);
    expect(stdout).toContain('jwt: jwt');
    expect(stdout).toMatch(/^apiKey: ConfigError TG_CONFIG_INVALID API keys need argon2id, .*--allow-addons/m);
    expect(stdout).not.toMatch(/npm has a bug/);
  });

  it('verifies API keys once addons and workers are allowed', async () => {
    const stdout = await underPermissionModel(['--allow-addons', '--allow-worker']);
    expect(stdout).toContain('apiKey: verified permission-model');
  });
});
