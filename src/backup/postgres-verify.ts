// Checking a PostgreSQL dump before the destroy runs, beyond `pg_restore --list` reading its table of
// contents: the rows of each table are counted in the dump itself (pg_restore --data-only, COPY blocks),
// then the dump is restored into a scratch database on the same server (chaperone_verify_<id>), the
// rows there are counted and must match, and the scratch database is dropped.
//
// The scratch restore needs a role that may create databases, and a dump that stands alone: a table
// dumped on its own may use a type or sequence that lives outside the dump. When it cannot be done, the
// check says so and which check was done instead (the dump's own row counts); only a restore that
// brings back other numbers than the dump holds fails the backup. Dumps over 256 MB are not restored
// (that much again on a production server, before the command runs, is not a check but a load).
//
// The real psql and pg_restore run here, never the shims: chaperone's own scratch database is not a
// command to judge.

import { BackupError, realProgram, runProgram } from './store.js';

const maxRestoreBytes = 256 * 1024 * 1024;

/** Rows per table in a custom-format dump, counted in its COPY blocks; keys as COPY names them. */
export async function rowsInDump(file: string, env: NodeJS.ProcessEnv, cwd: string): Promise<Map<string, number>> {
  const rows = new Map<string, number>();
  let table: string | undefined;
  let partial = '';
  const line = (text: string) => {
    if (table === undefined) {
      const copy = /^COPY (.+?)(?: \(.*\))? FROM stdin;$/.exec(text);
      if (copy) {
        table = copy[1];
        rows.set(table, rows.get(table) ?? 0);
      }
    } else if (text === '\\.') {
      table = undefined;
    } else {
      rows.set(table, rows.get(table)! + 1);
    }
  };
  await runProgram(realProgram(['pg_restore'], env, cwd), ['--data-only', '--file=-', file], {
    env,
    cwd,
    onStdout: (chunk) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop()!;
      for (const text of lines) line(text);
    },
  }).catch((error: Error & { stderr?: string }) => {
    throw new BackupError(`the dump's data could not be read back: ${firstLine(error.stderr ?? error.message)}`);
  });
  if (partial !== '') line(partial);
  return rows;
}

const firstLine = (text: string) => text.trim().split('\n')[0] ?? '';

/**
 * Checks the dump as far as it can and returns what was done, for the record. `admin` connects to a
 * database that exists now (to create and drop the scratch one); `scratch` is the same connection
 * pointed at `scratchName`.
 */
export async function verifyPgDump(options: {
  file: string;
  bytes: number;
  entries: number;
  admin: string[];
  scratch: string[];
  scratchName: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
}): Promise<string> {
  const { file, env, cwd } = options;
  const rows = await rowsInDump(file, env, cwd);
  const total = [...rows.values()].reduce((sum, n) => sum + n, 0);
  const listed = `pg_restore --list read ${options.entries} entries; the dump holds ${total} rows in ${rows.size} tables`;
  if (options.bytes > maxRestoreBytes) return `${listed}; not restored into a scratch database (over ${maxRestoreBytes / 1024 / 1024} MB)`;

  const psql = realProgram(['psql'], env, cwd);
  const pgRestore = realProgram(['pg_restore'], env, cwd);
  const quoted = `"${options.scratchName.replace(/"/g, '""')}"`;
  const sql = (connection: string[], command: string) => runProgram(psql, ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', ...connection, '-c', command], { env, cwd });
  try {
    await sql(options.admin, `CREATE DATABASE ${quoted}`);
  } catch (error) {
    return `${listed}; not restored into a scratch database: ${firstLine((error as { stderr?: string }).stderr ?? (error as Error).message)}`;
  }
  let outcome: string;
  try {
    try {
      await runProgram(pgRestore, ['--no-owner', '--no-privileges', '--exit-on-error', ...options.scratch, file], { env, cwd });
    } catch (error) {
      return `${listed}; the restore into a scratch database failed (the dump may need objects it does not hold): ${firstLine((error as { stderr?: string }).stderr ?? (error as Error).message)}`;
    }
    const found = new Map<string, number>();
    if (rows.size > 0) {
      // Each name as COPY wrote it is already a quoted, qualified name; its text goes back as a literal.
      const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
      const query = [...rows.keys()].map((name) => `SELECT ${literal(name)}, count(*) FROM ${name}`).join(' UNION ALL ');
      const out = await sql(options.scratch, query);
      for (const row of out.split('\n').filter(Boolean)) {
        const at = row.lastIndexOf('|');
        found.set(row.slice(0, at), Number(row.slice(at + 1)));
      }
    }
    const wrong = [...rows].filter(([name, n]) => found.get(name) !== n).map(([name, n]) => `${name}: ${n} in the dump, ${found.get(name) ?? 'none'} restored`);
    if (wrong.length > 0) throw new BackupError(`the dump restored into a scratch database with other row counts (${wrong.join('; ')})`);
    outcome = `restored into a scratch database and dropped: ${total} rows in ${rows.size} tables, as many as the dump holds`;
  } finally {
    await sql(options.admin, `DROP DATABASE IF EXISTS ${quoted}`).catch((error: Error & { stderr?: string }) => {
      // Not a reason to stop the command; but a human must hear of a leftover database.
      process.stderr.write(`chaperone: the scratch database ${quoted} could not be dropped: ${firstLine(error.stderr ?? error.message)}\n`);
    });
  }
  return outcome;
}
