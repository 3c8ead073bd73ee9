// The `tollgate` entry: picks the subcommand by its words and runs it; each subcommand is its own module.
import { auditVerifyCommand } from './commands/audit-verify.js';
import { evidenceCommand } from './commands/evidence.js';
import { keysRevokeCommand, keysRotateCommand } from './commands/keys-change.js';
import { keysCreateCommand } from './commands/keys-create.js';
import { keysListCommand, keysShowCommand } from './commands/keys-read.js';
import { tenantsResumeCommand, tenantsSetLimitsCommand, tenantsSuspendCommand } from './commands/tenants-change.js';
import { tenantsCreateCommand, tenantsListCommand } from './commands/tenants-create-list.js';
import { exitCodes, UsageError, type CliCommand, type CliIo } from './command.js';

/** Every subcommand, in the order `tollgate --help` lists them. */
export const commands: readonly CliCommand[] = [
  evidenceCommand,
  auditVerifyCommand,
  keysCreateCommand,
  keysListCommand,
  keysShowCommand,
  keysRotateCommand,
  keysRevokeCommand,
  tenantsCreateCommand,
  tenantsListCommand,
  tenantsSuspendCommand,
  tenantsResumeCommand,
  tenantsSetLimitsCommand,
];

function overview(registry: readonly CliCommand[]): string {
  const width = Math.max(...registry.map((c) => c.path.join(' ').length));
  return [
    'Usage: tollgate <command> [options]',
    '',
    'Commands:',
    ...registry.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    'Run `tollgate <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

/** The process's own streams, directory and environment. */
export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
  };
}

/**
 * Runs `tollgate` with the given arguments and resolves the exit code (never throws).
 *
 * @example
 * process.exitCode = await runCli(['audit', 'verify', 'audit.log']);
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo(), registry: readonly CliCommand[] = commands): Promise<number> {
  // The command whose words match the longest prefix of the arguments.
  const command = [...registry]
    .sort((a, b) => b.path.length - a.path.length)
    .find((c) => c.path.every((word, i) => argv[i] === word));
  if (command === undefined) {
    const asked = argv[0];
    if (asked !== undefined && asked !== '--help' && asked !== '-h' && asked !== 'help') io.stderr(`tollgate: unknown command "${argv.join(' ')}"\n\n`);
    io.stdout(overview(registry));
    return asked === undefined || asked === '--help' || asked === '-h' || asked === 'help' ? exitCodes.ok : exitCodes.usage;
  }
  const args = argv.slice(command.path.length);
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(command.usage);
    return exitCodes.ok;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`tollgate ${command.path.join(' ')}: ${error.message}\n\n${command.usage}`);
      return exitCodes.usage;
    }
    io.stderr(`tollgate ${command.path.join(' ')}: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.usage;
  }
}
