// The `tollgate` dispatcher: subcommands by their words, help, unknown commands, and usage errors.
import { describe, expect, it } from 'vitest';
import { commands, runCli } from './cli.js';
import { UsageError, type CliCommand, type CliIo } from './command.js';

function capture(): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', cwd: process.cwd(), env: {}, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

describe('runCli', () => {
  it('lists the commands for --help and for nothing, and refuses an unknown one', async () => {
    const help = capture();
    expect(await runCli(['--help'], help)).toBe(0);
    expect(help.out).toContain('evidence');
    expect(help.out).toContain('audit verify');
    const unknown = capture();
    expect(await runCli(['keys', 'frobnicate'], unknown)).toBe(2);
    expect(unknown.err).toContain('unknown command "keys frobnicate"');
  });

  it('picks the command with the most matching words and passes it the rest', async () => {
    const seen: string[][] = [];
    const make = (path: string[]): CliCommand => ({ path, summary: path.join(' '), usage: `usage of ${path.join(' ')}\n`, run: async (args) => (seen.push([path.join(' '), ...args]), 0) });
    const registry = [make(['audit']), make(['audit', 'verify'])];
    await runCli(['audit', 'verify', 'a.log'], capture(), registry);
    await runCli(['audit', 'other'], capture(), registry);
    expect(seen).toEqual([['audit verify', 'a.log'], ['audit', 'other']]);
    const help = capture();
    expect(await runCli(['audit', 'verify', '--help'], help, registry)).toBe(0);
    expect(help.out).toBe('usage of audit verify\n');
  });

  it('prints usage errors with the command’s usage, and other failures without a stack', async () => {
    const failing = (error: Error): CliCommand => ({ path: ['x'], summary: '', usage: 'usage of x\n', run: () => Promise.reject(error) });
    const usage = capture();
    expect(await runCli(['x'], usage, [failing(new UsageError('needs a file'))])).toBe(2);
    expect(usage.err).toBe('tollgate x: needs a file\n\nusage of x\n');
    const other = capture();
    expect(await runCli(['x'], other, [failing(new Error('module not found'))])).toBe(2);
    expect(other.err).toBe('tollgate x: module not found\n');
    expect(commands.map((c) => c.path.join(' '))).toEqual([
      'evidence', 'audit verify',
      'keys create', 'keys list', 'keys show', 'keys rotate', 'keys revoke',
      'tenants create', 'tenants list', 'tenants suspend', 'tenants resume', 'tenants set-limits',
    ]);
  });
});
