// The migration tools' readers run on files anyone in the repository can write: .env, schema.prisma,
// drizzle.config.ts, config/database.yml, alembic.ini, Django settings, knexfiles. Random files made of
// the pieces their grammars care about must never make a reader throw, and must never turn a gated
// command into an allow for an agent: no piece here names a development target, so whatever the garbage
// says, the target stays production or unknown. Seeded, so a failure repeats.

import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { databaseUrlTarget } from '../../src/tools/database-url.js';
import { expandValue, parseDotenv } from '../../src/tools/dotenv.js';
import { readConfigValues, sectionOf } from '../../src/tools/js-config.js';
import { expandErb } from '../../src/tools/rails.js';
import { readIniSection } from '../../src/tools/alembic.js';
import { emptyHome, evaluateLine } from '../helpers/evaluate.js';
import { random } from '../helpers/random.js';

function texts(seed: number, count: number, pieces: readonly string[]): string[] {
  const next = random(seed);
  return Array.from({ length: count }, () => Array.from({ length: 1 + Math.floor(next() * 40) }, () => pieces[Math.floor(next() * pieces.length)]).join(''));
}

// No piece names a local host, a SQLite file or a development word.
const common = ['\n', '\r\n', ' ', '\t', '=', ':', '#', ';', ',', '"', "'", '`', '\\', '{', '}', '(', ')', '[', ']', '$', '${', '%', '<', '>', '/', '//', '/*', '*/', '!', '?', 'ü', '\u0000', 'x', '_', '.', '@'];
// A bare `postgres://` (libpq's local socket) and SQLite files are local, so only the no-throw tests get them.
const localUrls = ['postgres://', 'file:', 'sqlite:', 'sqlite:///dev.db'];
const urls = ['postgresql://u:p@db.prod.example.com/shop', 'mysql://root@live-db.example.com/app', 'sqlserver://db.example.com;database=prod', 'mongodb://a.example.com,b.example.com/x', 'jdbc:', 'postgres://[::', '%zz', 'https://api.example.com'];
const dotenvPieces = [...common, ...urls, 'DATABASE_URL', 'export ', 'DIRECT_URL', '=', '"', "'", '\\n', '${DATABASE_URL}', '$HOST', 'HOST', 'prod'];
const prismaPieces = [...common, ...urls, 'datasource db {', 'generator x {', 'url', 'directUrl', ' = ', 'env("DATABASE_URL")', 'env(', 'provider = "postgresql"', '"', '}'];
const jsPieces = [...common, ...urls, 'dbCredentials', 'url', 'host', 'database', 'connection', 'connectionString', 'process.env.DATABASE_URL', 'process.env["X"]', 'env("X")', '!', ' ?? ', ' || ', "'db.prod.example.com'", 'import "dotenv/config"', 'export default', 'production: {', 'development', 'defineConfig('];
const ymlPieces = [...common, ...urls, 'development:', 'production:', '  ', 'url: ', 'host: ', 'database: ', 'adapter: postgresql', '<%= ENV["DATABASE_URL"] %>', '<%= ENV.fetch("X") { "y" } %>', '<%', '%>', '<%=', '&default', '<<: *default', '*default', '- ', '|', '>'];
const iniPieces = [...common, ...urls, '[alembic]', '[DEFAULT]', '[', 'sqlalchemy.url', ' = ', '%(here)s', '%%', 'script_location', '    '];
const settingsPieces = [...common, ...urls, "'HOST'", "'NAME'", "'ENGINE'", "'django.db.backends.postgresql'", 'os.environ["DATABASE_URL"]', 'os.getenv(', 'env.db(', 'dj_database_url.config(', 'default=', 'from .base import *', 'from . import *', 'read_env()', 'DATABASES = {'];

const root = mkdtempSync(join(emptyHome, 'orm-fuzz-'));
let count = 0;
function projectWith(files: Record<string, string>): string {
  const dir = join(root, `p${++count}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('the readers never throw', () => {
  it('.env', () => {
    for (const text of texts(1, 2000, [...dotenvPieces, ...localUrls])) {
      expect(() => {
        const values = parseDotenv(text);
        for (const v of Object.values(values)) expandValue(v, {}, values);
      }, JSON.stringify(text)).not.toThrow();
    }
  });
  it('database URLs', () => {
    for (const text of texts(2, 3000, [...urls, ...localUrls, ...common, 'db.example.com', ':5432', '/shop', '?host=', ','])) {
      expect(() => databaseUrlTarget(text, { source: 'env', key: 'DATABASE_URL', value: text }, '/'), JSON.stringify(text)).not.toThrow();
    }
  });
  it('JavaScript config files', () => {
    for (const text of texts(3, 2000, [...jsPieces, ...localUrls])) {
      expect(() => {
        readConfigValues(text, ['url', 'host', 'database', 'connection']);
        sectionOf(text, 'production');
      }, JSON.stringify(text)).not.toThrow();
    }
  });
  it('database.yml ERB and ini files', () => {
    for (const text of texts(4, 2000, ymlPieces)) expect(() => expandErb(text, {}), JSON.stringify(text)).not.toThrow();
    for (const text of texts(5, 2000, iniPieces)) expect(() => readIniSection(text, 'alembic', '/x'), JSON.stringify(text)).not.toThrow();
  });
});

describe('no config file crashes into an allow', () => {
  const agent = { CHAPERONE_ACTOR: 'agent' };
  async function verdicts(line: string, files: (text: string) => Record<string, string>, seed: number, pieces: readonly string[], n = 40): Promise<void> {
    for (const text of texts(seed, n, pieces)) {
      const cwd = projectWith(files(text));
      const ev = await evaluateLine(line, agent, cwd);
      expect(ev.findings.length, `${line} with ${JSON.stringify(text)}`).toBeGreaterThan(0);
      expect(ev.decision.verdict, `${line} with ${JSON.stringify(text)}: ${ev.target?.class} ${ev.target?.because}`).toBe('deny');
    }
  }
  it('prisma: schema.prisma and .env', () => verdicts('prisma migrate reset --force', (t) => ({ 'package.json': '{}', 'prisma/schema.prisma': t, '.env': t }), 6, [...prismaPieces, ...dotenvPieces]));
  it('prisma: prisma.config.ts', () => verdicts('prisma db push --force-reset', (t) => ({ 'prisma.config.ts': t }), 7, jsPieces));
  it('drizzle-kit: drizzle.config.ts', () => verdicts('drizzle-kit push --force', (t) => ({ 'drizzle.config.ts': t, '.env': t }), 8, jsPieces));
  it('rails: config/database.yml', () => verdicts('rails db:drop RAILS_ENV=production', (t) => ({ 'config/database.yml': t }), 9, ymlPieces));
  it('django: settings', () => verdicts('django-admin flush --settings=app.settings.prod', (t) => ({ 'app/settings/prod.py': t, 'app/settings/base.py': t }), 10, settingsPieces));
  it('alembic: alembic.ini', () => verdicts('alembic downgrade base', (t) => ({ 'alembic.ini': t, 'migrations/env.py': t }), 11, iniPieces));
  it('knex: knexfile.js', () => verdicts('knex migrate:rollback --env production', (t) => ({ 'knexfile.js': t }), 12, jsPieces));
  it('typeorm: data source', () => verdicts('typeorm schema:drop -d ds.ts', (t) => ({ 'ds.ts': t }), 13, jsPieces));
});
