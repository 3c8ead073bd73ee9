// The README's "add it to your Express app" snippet must work as written: run it and call it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { rememberLog, rememberSecret } from '../support/secret-ledger.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
// The snippet runs inside the example app's folder, which depends on express and the tollgate packages.
const exampleDir = fileURLToPath(new URL('../../examples/express-gateway/', import.meta.url));
const file = `${exampleDir}readme-snippet.${process.pid}.mts`;

describe('README', () => {
  afterAll(() => rmSync(file, { force: true }));

  it('has a 10-line snippet that protects an Express app as written', async () => {
    const section = readme.split('## Add it to your Express app')[1] ?? '';
    const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(snippet, 'no ts block under "Add it to your Express app"').toBeDefined();
    expect(snippet!.split('\n').filter((line) => line.trim() !== '')).toHaveLength(10);
    expect(snippet).toContain('app.listen(3000)');
    // Only the port changes, so parallel runs do not collide.
    writeFileSync(file, snippet!.replace('app.listen(3000)', 'const server = app.listen(0, () => console.log(`port ${(server.address() as { port: number }).port}`))'));
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: exampleDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    try {
      const deadline = Date.now() + 15_000;
      while (!/port \d+/.test(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 25));
      const port = /port (\d+)/.exec(out)?.[1];
      const key = /shown once\): (tg_\S+)/.exec(out)?.[1];
      expect(port, out).toBeDefined();
      expect(key, out).toBeDefined();
      rememberSecret(key!);
      const url = `http://127.0.0.1:${port}/v1/chat/completions`;
      const refused = await fetch(url, { method: 'POST' });
      expect(refused.status).toBe(401);
      const ok = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
      expect(await ok.json()).toEqual({ caller: 'alice', tenant: 'acme' });
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
      rememberLog('README snippet', out.split('\n').filter((l) => !l.includes('shown once')).join('\n'));
    }
  });
});
