// `tollgate-postgres`: apply the migrations to a database, or verify the audit table's hash chains.
import { parseArgs } from 'node:util';
import { migrate } from './migrate.js';
import { verifyAuditTable } from './audit-table.js';

const usage = `Usage:
  tollgate-postgres migrate [--database-url URL] [--schema NAME]
  tollgate-postgres verify  [--database-url URL] [--schema NAME] [--key-env NAME] [--chain-id ID]

  --database-url   default: $DATABASE_URL
  --schema         default: public
  --key-env        the environment variable holding the chain key (for HMAC chains)
`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'database-url': { type: 'string' },
      schema: { type: 'string' },
      'key-env': { type: 'string' },
      'chain-id': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help === true || (command !== 'migrate' && command !== 'verify')) {
    process.stdout.write(usage);
    return values.help === true ? 0 : 2;
  }
  const url = values['database-url'] ?? process.env['DATABASE_URL'];
  if (url === undefined || url === '') {
    process.stderr.write('tollgate-postgres: no database: pass --database-url or set DATABASE_URL\n');
    return 2;
  }
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    if (command === 'migrate') {
      const result = await migrate(pool, values.schema === undefined ? {} : { schema: values.schema });
      process.stdout.write(`schema ${result.schema}: ${result.applied.length === 0 ? 'already up to date' : `applied ${result.applied.join(', ')}`} (version ${result.version})\n`);
      return 0;
    }
    const keyEnv = values['key-env'];
    const key = keyEnv === undefined ? undefined : process.env[keyEnv];
    if (keyEnv !== undefined && (key === undefined || key === '')) {
      process.stderr.write(`tollgate-postgres: ${keyEnv} is not set\n`);
      return 2;
    }
    const report = await verifyAuditTable(pool, {
      ...(values.schema === undefined ? {} : { schema: values.schema }),
      ...(key === undefined ? {} : { key }),
      ...(values['chain-id'] === undefined ? {} : { chainId: values['chain-id'] }),
    });
    for (const chain of report.chains) process.stdout.write(`chain ${chain.chainId}: records ${chain.firstSeq}..${chain.lastSeq}, last hash ${chain.lastHash}\n`);
    if (report.ok) {
      process.stdout.write(`ok: ${report.records} records, ${report.chains.length} chains, no broken or missing link\n`);
      return 0;
    }
    for (const problem of report.problems) process.stdout.write(`${problem.kind}: ${problem.message}\n`);
    return 1;
  } finally {
    await pool.end();
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`tollgate-postgres: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
