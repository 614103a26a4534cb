// The startup-file readers run on whatever a user or an agent writes into ~/.psqlrc, ~/.my.cnf and
// ~/.aws/cli/alias. Random files made of the characters their grammars care about must never make a
// reader throw, and a destructive entry written after any such garbage must still be found: no input
// crashes into an allow. Seeded, so a failure repeats.

import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandAliases, parseAliasText, shlexSplit, type AliasFile } from '../../src/tools/aws-alias.js';
import { readOptions } from '../../src/tools/my-cnf.js';
import { emptyHome, evaluateLine } from '../helpers/evaluate.js';
import { random } from '../helpers/random.js';

function texts(seed: number, count: number, pieces: readonly string[]): string[] {
  const next = random(seed);
  return Array.from({ length: count }, () => Array.from({ length: 1 + Math.floor(next() * 30) }, () => pieces[Math.floor(next() * pieces.length)]).join(''));
}

const common = ['\n', '\r\n', '\r', ' ', '\t', '=', ':', '#', ';', '"', "'", '\\', '[', ']', '!', 'ü', '\u0000', 'x', '-', '_'];
const cnfPieces = [...common, '[client]', '[mysql]', '[mysqld]', '[client', 'init-command', 'init_command', 'loose-', 'init', 'DROP TABLE t', 'SELECT 1', '!include ', '!includedir ', '/nonexistent', '.', '..', 'host', 'db.prod.example.com'];
const aliasPieces = [...common, '[toplevel]', '[command s3]', '[command ', '[DEFAULT]', 'nuke', 's3', 'rb', 'rm', 'ls', '--force', '--recursive', '--profile', 's3://x', '!aws ', '!', '    ', 'a', 'b'];
const psqlPieces = [...common, 'DROP', 'TABLE', 'SELECT', ' 1', '\\set ', '\\timing', '\\i ', '\\ir ', '\\!', '\\gexec', '$$', '$q$', '/*', '*/', '--', 'E\'', '(', ')', 'BEGIN', 'COPY t FROM stdin', '\\.', ':x', ":'x'"];

const root = mkdtempSync(join(emptyHome, 'startup-fuzz-'));
let count = 0;
function homeWith(path: string, text: string): string {
  const dir = join(root, `h${++count}`);
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
  return dir;
}
const agentProd = (home: string) => ({ HOME: home, CHAPERONE_ACTOR: 'agent', PGSYSCONFDIR: join(home, 'none') });

describe('startup-file readers never throw', () => {
  it('the option-file reader', () => {
    const dir = mkdtempSync(join(root, 'cnf-'));
    for (const [i, text] of texts(11, 2000, cnfPieces).entries()) {
      const file = join(dir, `${i}.cnf`);
      writeFileSync(file, text);
      expect(() => readOptions([file], new Set(['client', 'mysql'])), JSON.stringify(text)).not.toThrow();
    }
  });

  it('the alias-file reader, shlex and the expansion', () => {
    const commandWords = (args: readonly string[]) => args.flatMap((a, i) => (a.startsWith('-') ? [] : [i]));
    for (const text of texts(12, 3000, aliasPieces)) {
      expect(() => {
        shlexSplit(text);
        const parsed = parseAliasText(text);
        const file: AliasFile = 'error' in parsed ? { kind: 'unreadable', why: parsed.error, shown: 'alias' } : { kind: 'table', table: parsed.table, shown: 'alias' };
        for (const args of [['nuke'], ['s3', 'rb', 's3://x'], ['a', 'b', 'nuke'], ['--profile', 'p', 's3', 'ls']]) {
          expandAliases(args, file, { commandWords, globalOptions: () => [], withoutGlobalOptions: (a) => [...a] }, { cwd: root, env: {} });
        }
      }, JSON.stringify(text)).not.toThrow();
    }
  });
});

describe('a destructive entry after random garbage is still refused', () => {
  it('~/.my.cnf: init-command=DROP TABLE t last', async () => {
    for (const text of texts(21, 150, cnfPieces)) {
      const home = homeWith('.my.cnf', `${text}\n[client]\ninit-command=DROP TABLE t\n`);
      const evaluation = await evaluateLine(`mysql -h db.prod.example.com shop -e 'select 1'`, agentProd(home), home);
      expect(evaluation.decision.verdict, JSON.stringify(text)).toBe('deny');
    }
  });

  it('~/.aws/cli/alias: nuke = s3 rb --force', async () => {
    for (const text of texts(22, 150, aliasPieces)) {
      const home = homeWith('.aws/cli/alias', `${text}\n[toplevel]\nzznuke = s3 rb s3://prod-data --force\n`);
      const evaluation = await evaluateLine('aws zznuke', agentProd(home), home);
      expect(evaluation.decision.verdict, JSON.stringify(text)).toBe('deny');
    }
  });

  it('~/.aws/cli/alias: a ! alias running aws s3 rm --recursive', async () => {
    for (const text of texts(23, 100, aliasPieces)) {
      const home = homeWith('.aws/cli/alias', `${text}\n[toplevel]\nzzwipe = !aws s3 rm s3://prod-data --recursive\n`);
      const evaluation = await evaluateLine('aws zzwipe', agentProd(home), home);
      expect(evaluation.decision.verdict, JSON.stringify(text)).toBe('deny');
    }
  });

  it('~/.psqlrc: DROP TABLE t last', async () => {
    for (const text of texts(24, 150, psqlPieces)) {
      const home = homeWith('.psqlrc', `${text}\nDROP TABLE t;\n`);
      const evaluation = await evaluateLine(`psql -h db.prod.example.com shop -c 'select 1'`, agentProd(home), home, '');
      expect(evaluation.decision.verdict, JSON.stringify(text)).toBe('deny');
    }
  });
});
