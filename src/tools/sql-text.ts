// SQL that a migration tool sends to its database as it is (`prisma db execute`, `typeorm query`), read
// as commands rules can match (`sql drop`, `sql truncate`, `sql delete` without --where, …). The
// dialect follows the database: PostgreSQL's own grammar for postgres URLs, the MySQL reader for MySQL
// and MariaDB; for anything else (SQLite, SQL Server) PostgreSQL's grammar first, then the MySQL
// reader's token rules when the grammar rejects the text. What neither reads is `sql unreadable`.

import type { Command } from '../model.js';

export type Dialect = 'postgres' | 'mysql' | 'other';

/** The dialect of a URL or a Prisma/TypeORM provider name. */
export function dialectOf(text: string | undefined): Dialect {
  if (text === undefined) return 'other';
  if (/^(postgres|postgresql|cockroach|cockroachdb|pg|psql)\b/i.test(text)) return 'postgres';
  if (/^(mysql|mariadb|mysql2)\b/i.test(text)) return 'mysql';
  return 'other';
}

export async function readSqlText(sql: string, dialect: Dialect): Promise<Command[]> {
  if (dialect === 'mysql') return readMysql(sql);
  const { readSql } = await import('../sql/postgres.js');
  const commands = await readSql(sql);
  if (dialect === 'postgres' || !commands.some((c) => c.path[1] === 'unreadable')) return commands;
  const lenient = await readMysql(sql);
  return lenient.some((c) => c.path[1] === 'unreadable') ? commands : lenient;
}

async function readMysql(sql: string): Promise<Command[]> {
  const { readMysqlScriptText } = await import('../sql/mysql-script.js');
  const { sqlCommand, statementCommands } = await import('../sql/mysql.js');
  const out: Command[] = [];
  for (const unit of readMysqlScriptText(sql)) {
    if (unit.kind !== 'sql') out.push(sqlCommand({ path: ['unreadable'] }, `${unit.text} (a client command, which the server does not run)`));
    else if (unit.unterminated) out.push(sqlCommand({ path: ['unreadable'] }, `${unit.text} (ends inside a string or comment)`));
    else out.push(...statementCommands(unit.text, { backslashInString: unit.backslashInString }));
  }
  return out;
}
