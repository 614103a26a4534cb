// Migration and ORM tools: which invocations the built-in rules gate, and which database each targets,
// read from the tool's own config (schema.prisma and .env, drizzle.config.ts, config/database.yml,
// Django settings, alembic.ini and env.py, knexfile, sequelize's config.json, a TypeORM data source).
// Each row: the rules found, the class of the target, and the verdict for an agent.

import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine } from '../helpers/evaluate.js';

const root = join(emptyHome, 'orm');

function project(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

project('.', { 'empty.sql': '' });
const schema = (url = 'env("DATABASE_URL")', extra = '') => `generator client {\n  provider = "prisma-client-js"\n}\n\ndatasource db {\n  provider = "postgresql"\n  url      = ${url}\n${extra}}\n`;
const dirs = {
  prismaProd: project('prisma-prod', { 'package.json': '{}', 'prisma/schema.prisma': schema(), '.env': 'DATABASE_URL="postgresql://app:s3cret@db.prod.example.com:5432/shop"\n' }),
  prismaDev: project('prisma-dev', { 'package.json': '{}', 'prisma/schema.prisma': schema(), '.env': '# local\nDATABASE_URL=postgresql://postgres:postgres@localhost:5432/shop_dev\n' }),
  prismaNoEnv: project('prisma-noenv', { 'package.json': '{}', 'prisma/schema.prisma': schema() }),
  prismaPrismaDir: project('prisma-dir-env', { 'package.json': '{}', 'prisma/schema.prisma': schema('env("PG_URL")'), 'prisma/.env': 'export PG_URL=postgres://u@staging-db.internal/app\n' }),
  prismaDirect: project('prisma-direct', { 'package.json': '{}', 'prisma/schema.prisma': schema('env("DATABASE_URL")', '  directUrl = env("DIRECT_URL")\n'), '.env': 'DATABASE_URL=postgresql://localhost/dev\nDIRECT_URL=postgresql://db.prod.example.com/shop\n' }),
  prismaPkg: project('prisma-pkg', { 'package.json': '{"prisma":{"schema":"db/main.prisma"}}', 'db/main.prisma': schema('"postgresql://u:p@127.0.0.1:5432/dev"') }),
  prismaMulti: project('prisma-multi', { 'package.json': '{}', 'prisma/schema/base.prisma': schema('"postgresql://live-db.example.com/shop"'), 'prisma/schema/user.prisma': 'model User {\n  id Int @id\n}\n' }),
  prismaSqlite: project('prisma-sqlite', { 'package.json': '{}', 'prisma/schema.prisma': 'datasource db {\n  provider = "sqlite"\n  url = "file:./dev.db"\n}\n' }),
  prismaConfig: project('prisma-config', { 'package.json': '{}', 'prisma.config.ts': "import 'dotenv/config'\nimport { defineConfig, env } from 'prisma/config'\nexport default defineConfig({\n  schema: 'prisma/schema.prisma',\n  datasource: { url: env('DATABASE_URL') },\n})\n", 'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n}\n', '.env': 'DATABASE_URL=postgres://prod-primary.example.com/shop\n' }),
  drizzleDev: project('drizzle-dev', { 'drizzle.config.ts': "import 'dotenv/config';\nimport { defineConfig } from 'drizzle-kit';\n\nexport default defineConfig({\n  dialect: 'postgresql',\n  schema: './src/db/schema.ts',\n  dbCredentials: {\n    url: process.env.DATABASE_URL!,\n  },\n});\n", '.env': 'DATABASE_URL=postgres://localhost:5432/app\n' }),
  drizzleProd: project('drizzle-prod', { 'drizzle.config.ts': "export default {\n  dialect: 'postgresql',\n  // url: 'postgres://localhost/dev',\n  dbCredentials: { url: \"postgres://admin:pw@prod-db.example.com/app\" },\n};\n" }),
  drizzleOpaque: project('drizzle-opaque', { 'drizzle.config.ts': "import { getUrl } from './env';\nexport default { dialect: 'postgresql', dbCredentials: { url: getUrl() } };\n" }),
  drizzleJson: project('drizzle-json', { 'drizzle.config.json': '{"dialect":"postgresql","dbCredentials":{"host":"localhost","database":"app_dev"}}' }),
  rails: project('rails', {
    'config/database.yml': 'default: &default\n  adapter: postgresql\n  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>\n\ndevelopment:\n  <<: *default\n  database: shop_development\n  host: localhost\n\ntest:\n  <<: *default\n  database: shop_test\n\nproduction:\n  primary:\n    <<: *default\n    url: <%= ENV["DATABASE_URL"] %>\n  cache:\n    <<: *default\n    database: shop_production_cache\n    host: <%= ENV.fetch("CACHE_DB_HOST") { "cache.internal" } %>\n',
    'config/application.rb': '',
  }),
  railsDotenv: project('rails-dotenv', { 'Gemfile': "gem 'rails'\ngem 'dotenv-rails', groups: [:development, :test]\n", 'config/database.yml': 'development:\n  adapter: postgresql\n  database: app_dev\n', '.env.development': 'DATABASE_URL=postgres://shared-prod-replica.example.com/app\n' }),
  railsErb: project('rails-erb', { 'config/database.yml': 'development:\n  adapter: postgresql\n<% if ENV["SHARED_DB"] %>\n  host: shared.example.com\n<% end %>\n  database: app\n' }),
  django: project('django', {
    'manage.py': '#!/usr/bin/env python\nimport os, sys\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")\nfrom django.core.management import execute_from_command_line\nexecute_from_command_line(sys.argv)\n',
    'config/__init__.py': '',
    'config/settings/__init__.py': '',
    'config/settings/base.py': 'import environ\nenv = environ.Env()\nDATABASES = {"default": env.db("DATABASE_URL", default="postgres://localhost/app")}\n',
    'config/settings/local.py': 'from .base import *  # noqa\nDEBUG = True\n',
    'config/settings/production.py': 'from .base import *\n',
    'mysite/settings.py': "DATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.postgresql',\n        'NAME': 'shop',\n        'HOST': 'db-primary.prod.internal',\n    }\n}\n",
    'lite/settings.py': "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': BASE_DIR / 'db.sqlite3'}}\n",
  }),
  alembic: project('alembic', {
    'alembic.ini': '[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = postgresql+psycopg2://app:pw@localhost/app_dev\n\n[prod]\nscript_location = migrations\nsqlalchemy.url = postgresql://app@db.prod.example.com/app\n',
    'migrations/env.py': 'from alembic import context\nconfig = context.config\n',
  }),
  alembicEnv: project('alembic-env', {
    'alembic.ini': '[alembic]\nscript_location = alembic\n# sqlalchemy.url = driver://user:pass@localhost/dbname\n',
    'alembic/env.py': 'import os\nfrom alembic import context\ncontext.config.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL"])\n',
  }),
  knex: project('knex', { 'knexfile.js': "require('dotenv').config();\nmodule.exports = {\n  development: {\n    client: 'sqlite3',\n    connection: { filename: './dev.sqlite3' },\n  },\n  staging: {\n    client: 'pg',\n    connection: { host: 'pg.staging.internal', database: 'app' },\n  },\n  production: {\n    client: 'pg',\n    connection: process.env.DATABASE_URL,\n  },\n};\n", '.env': 'DATABASE_URL=postgres://u:p@db.example.com/app\n' }),
  sequelize: project('sequelize', { 'config/config.json': '{"development":{"username":"root","password":null,"database":"app_dev","host":"127.0.0.1","dialect":"mysql"},"production":{"use_env_variable":"DATABASE_URL","dialect":"postgres"}}' }),
  typeorm: project('typeorm', { 'src/data-source.ts': "import { DataSource } from 'typeorm';\nexport const AppDataSource = new DataSource({\n  type: 'postgres',\n  host: process.env.DB_HOST ?? 'localhost',\n  database: 'app',\n});\n" }),
};

interface Line {
  line: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
}
const label = ({ line, cwd, env = {} }: Line) => `${Object.entries(env).map(([k, v]) => `${k}=${v} `).join('')}${line} (in ${cwd.slice(root.length + 1)})`;

/** The rules found, the target's class, and what an agent gets. */
async function judge({ line, cwd, env = {} }: Line): Promise<string> {
  const ev = await evaluateLine(line, { CHAPERONE_ACTOR: 'agent', ...env }, cwd);
  return `${ev.findings.map((f) => f.rule).join(' ') || '-'} @ ${ev.target?.class}: ${ev.decision.verdict}`;
}

describe('prisma', () => {
  table<Line, string>(label, [
    [{ line: 'prisma migrate reset', cwd: dirs.prismaProd }, 'prisma.migrate.reset @ production: deny'],
    [{ line: 'prisma migrate reset --force --skip-seed', cwd: dirs.prismaProd }, 'prisma.migrate.reset @ production: deny'],
    [{ line: 'prisma migrate reset -f', cwd: dirs.prismaDev }, 'prisma.migrate.reset @ development: allow'],
    // the environment beats the .env file, as dotenv never overrides
    [{ line: 'prisma migrate reset --force', cwd: dirs.prismaDev, env: { DATABASE_URL: 'postgresql://db.prod.example.com/shop' } }, 'prisma.migrate.reset @ production: deny'],
    [{ line: 'prisma migrate reset --force', cwd: dirs.prismaProd, env: { DATABASE_URL: 'postgresql://localhost/dev' } }, 'prisma.migrate.reset @ development: allow'],
    [{ line: 'prisma migrate reset --force', cwd: dirs.prismaNoEnv }, 'prisma.migrate.reset @ unknown: deny'],
    [{ line: 'prisma migrate reset --force', cwd: dirs.prismaPrismaDir }, 'prisma.migrate.reset @ staging: deny'],
    [{ line: 'prisma migrate reset --force', cwd: dirs.prismaDirect }, 'prisma.migrate.reset @ production: deny'],
    [{ line: 'prisma migrate reset --force', cwd: dirs.prismaPkg }, 'prisma.migrate.reset @ development: allow'],
    [{ line: 'prisma migrate reset --force --schema db/main.prisma', cwd: dirs.prismaPkg }, 'prisma.migrate.reset @ development: allow'],
    // that schema's DATABASE_URL is in its project's root .env, which Prisma does not load from here
    [{ line: 'prisma migrate reset --force --schema=../prisma-prod/prisma/schema.prisma', cwd: dirs.prismaPkg }, 'prisma.migrate.reset @ unknown: deny'],
    [{ line: 'prisma migrate reset --force', cwd: dirs.prismaMulti }, 'prisma.migrate.reset @ production: deny'],
    [{ line: 'prisma migrate reset --force', cwd: dirs.prismaSqlite }, 'prisma.migrate.reset @ development: allow'],
    [{ line: 'prisma migrate reset --force', cwd: dirs.prismaConfig }, 'prisma.migrate.reset @ production: deny'],
    [{ line: 'prisma db push --force-reset', cwd: dirs.prismaProd }, 'prisma.db.push.force-reset @ production: deny'],
    [{ line: 'prisma db push --skip-generate --force-reset', cwd: dirs.prismaDev }, 'prisma.db.push.force-reset @ development: allow'],
    [{ line: 'prisma db push --accept-data-loss', cwd: dirs.prismaProd }, 'prisma.db.push.accept-data-loss @ production: deny'],
    [{ line: 'prisma db push --accept-data-loss --schema prisma/schema.prisma', cwd: dirs.prismaDev }, 'prisma.db.push.accept-data-loss @ development: allow'],
    [{ line: 'prisma migrate dev', cwd: dirs.prismaProd }, 'prisma.migrate.dev @ production: deny'],
    [{ line: 'prisma migrate dev --name add_users', cwd: dirs.prismaDev }, 'prisma.migrate.dev @ development: allow'],
    [{ line: `prisma db execute --url postgresql://db.prod.example.com/shop --file ${join(root, 'empty.sql')}`, cwd: dirs.prismaDev }, '- @ production: allow'],
    // a device or a FIFO is not a file chaperone reads: what it sends cannot be shown to be safe
    [{ line: 'prisma db execute --url postgresql://db.prod.example.com/shop --file /dev/null', cwd: dirs.prismaDev }, 'orm.sql.opaque @ production: deny'],
    // never gated
    [{ line: 'prisma migrate status', cwd: dirs.prismaProd }, '- @ production: allow'],
    [{ line: 'prisma migrate deploy', cwd: dirs.prismaProd }, '- @ production: allow'],
    [{ line: 'prisma db push', cwd: dirs.prismaProd }, '- @ production: allow'],
    [{ line: 'prisma generate', cwd: dirs.prismaProd }, '- @ production: allow'],
    [{ line: 'prisma migrate reset --help', cwd: dirs.prismaProd }, '- @ production: allow'],
    [{ line: 'prisma migrate reset -h', cwd: dirs.prismaProd }, '- @ production: allow'],
  ], judge);
});

describe('prisma db execute reads the SQL it sends', () => {
  const sqlDir = project('prisma-sql', { 'wipe.sql': 'TRUNCATE users;\n', 'safe.sql': "SELECT 'DROP TABLE x';\n", 'del.sql': 'DELETE FROM sessions WHERE expires < now();\n' });
  table<Line & { input?: string }, string>(label, [
    [{ line: `prisma db execute --file ${sqlDir}/wipe.sql --schema prisma/schema.prisma`, cwd: dirs.prismaProd }, 'orm.sql.destroy @ production: deny'],
    [{ line: `prisma db execute --file=${sqlDir}/wipe.sql --url postgresql://localhost/dev`, cwd: dirs.prismaProd }, 'orm.sql.destroy @ development: allow'],
    [{ line: 'prisma db execute --stdin', cwd: dirs.prismaProd, input: 'DROP TABLE users;' }, 'orm.sql.destroy @ production: deny'],
    [{ line: 'prisma db execute --stdin --url mysql://root@db.prod.example.com/shop', cwd: dirs.prismaDev, input: 'DELETE FROM users' }, 'orm.sql.unscoped-write @ production: deny'],
    [{ line: 'prisma db execute --stdin', cwd: dirs.prismaProd, input: 'DROP TABLE (' }, 'orm.sql.opaque @ production: deny'],
    [{ line: `prisma db execute --file ${sqlDir}/missing.sql`, cwd: dirs.prismaProd }, 'orm.sql.opaque @ production: deny'],
    [{ line: `prisma db execute --file ${sqlDir}/safe.sql`, cwd: dirs.prismaProd }, '- @ production: allow'],
    [{ line: `prisma db execute --file ${sqlDir}/del.sql`, cwd: dirs.prismaProd }, '- @ production: allow'],
    [{ line: 'prisma db execute --stdin', cwd: dirs.prismaProd, input: 'SELECT 1;' }, '- @ production: allow'],
  ], async ({ line, cwd, input }) => {
    const ev = await evaluateLine(line, { CHAPERONE_ACTOR: 'agent' }, cwd, input ?? '');
    return `${ev.findings.map((f) => f.rule).join(' ') || '-'} @ ${ev.target?.class}: ${ev.decision.verdict}`;
  });

  it('names the .env file and hides the password in the evidence', async () => {
    const ev = await evaluateLine('prisma migrate reset --force', { CHAPERONE_ACTOR: 'agent' }, dirs.prismaProd);
    const shown = JSON.stringify(ev.target?.evidence);
    expect(shown).not.toContain('s3cret');
    expect(ev.target?.evidence).toContainEqual({ source: 'file', key: 'DATABASE_URL', value: 'postgresql://app:***@db.prod.example.com:5432/shop', file: '~/orm/prisma-prod/.env' });
    expect(ev.target?.name).toBe('shop');
  });
});

describe('drizzle-kit', () => {
  table<Line, string>(label, [
    [{ line: 'drizzle-kit push --force', cwd: dirs.drizzleProd }, 'drizzle-kit.push.force @ production: deny'],
    [{ line: 'drizzle-kit push --verbose --force --strict', cwd: dirs.drizzleProd }, 'drizzle-kit.push.force @ production: deny'],
    [{ line: 'drizzle-kit push --force', cwd: dirs.drizzleDev }, 'drizzle-kit.push.force @ development: allow'],
    [{ line: 'drizzle-kit push --force', cwd: dirs.drizzleDev, env: { DATABASE_URL: 'postgres://prod.example.com/app' } }, 'drizzle-kit.push.force @ production: deny'],
    [{ line: 'drizzle-kit push --force', cwd: dirs.drizzleOpaque }, 'drizzle-kit.push.force @ unknown: deny'],
    [{ line: 'drizzle-kit push --force', cwd: dirs.drizzleJson }, 'drizzle-kit.push.force @ development: allow'],
    [{ line: 'drizzle-kit push --force --config ../drizzle-prod/drizzle.config.ts', cwd: dirs.drizzleDev }, 'drizzle-kit.push.force @ production: deny'],
    [{ line: 'drizzle-kit push --force --url postgres://localhost/x', cwd: dirs.drizzleProd }, 'drizzle-kit.push.force @ development: allow'],
    [{ line: 'drizzle-kit push --force', cwd: root }, 'drizzle-kit.push.force @ unknown: deny'],
    // never gated
    [{ line: 'drizzle-kit push', cwd: dirs.drizzleProd }, '- @ production: allow'],
    [{ line: 'drizzle-kit push --force --explain', cwd: dirs.drizzleProd }, '- @ production: allow'],
    [{ line: 'drizzle-kit drop', cwd: dirs.drizzleProd }, '- @ production: allow'],
    [{ line: 'drizzle-kit generate', cwd: dirs.drizzleProd }, '- @ production: allow'],
    [{ line: 'drizzle-kit push --force --help', cwd: dirs.drizzleProd }, '- @ production: allow'],
  ], judge);
});

describe('rails and rake', () => {
  table<Line, string>(label, [
    [{ line: 'rails db:drop', cwd: dirs.rails, env: { RAILS_ENV: 'production', DATABASE_URL: 'postgres://db.example.com/shop' } }, 'rails.db.drop @ production: deny'],
    [{ line: 'rake db:drop RAILS_ENV=production', cwd: dirs.rails }, 'rails.db.drop @ production: deny'],
    [{ line: 'rails db:drop -e production', cwd: dirs.rails }, 'rails.db.drop @ production: deny'],
    [{ line: 'rails db:drop --environment=staging', cwd: dirs.rails }, 'rails.db.drop @ staging: deny'],
    [{ line: 'rails db:drop', cwd: dirs.rails }, 'rails.db.drop @ development: allow'],
    [{ line: 'rails db:drop:primary', cwd: dirs.rails, env: { RACK_ENV: 'production' } }, 'rails.db.drop @ production: deny'],
    [{ line: 'rake db:drop:all', cwd: dirs.rails }, 'rails.db.drop @ production: deny'],
    // RAILS_ENV says development, but DATABASE_URL points at production
    [{ line: 'rails db:reset', cwd: dirs.rails, env: { DATABASE_URL: 'postgres://app@db.prod.example.com/shop' } }, 'rails.db.reset @ production: deny'],
    [{ line: 'rails db:reset', cwd: dirs.rails, env: { RAILS_ENV: 'test' } }, 'rails.db.reset @ development: allow'],
    [{ line: 'rake db:migrate:reset', cwd: dirs.rails, env: { RAILS_ENV: 'production' } }, 'rails.db.reset @ production: deny'],
    [{ line: 'rails db:schema:load', cwd: dirs.rails, env: { RAILS_ENV: 'production' } }, 'rails.db.schema.load @ production: deny'],
    [{ line: 'rake db:structure:load', cwd: dirs.rails }, 'rails.db.schema.load @ development: allow'],
    [{ line: 'rails db:truncate_all', cwd: dirs.rails, env: { RAILS_ENV: 'production' } }, 'rails.db.truncate @ production: deny'],
    [{ line: 'rails db:seed:replant[x]', cwd: dirs.rails, env: { RAILS_ENV: 'production' } }, 'rails.db.truncate @ production: deny'],
    [{ line: 'rails db:rollback STEP=3', cwd: dirs.rails, env: { RAILS_ENV: 'production' } }, 'rails.db.rollback @ production: deny'],
    [{ line: 'rake db:migrate:down VERSION=20240101000000', cwd: dirs.rails }, 'rails.db.rollback @ development: allow'],
    [{ line: 'rails db:migrate db:drop', cwd: dirs.rails, env: { RAILS_ENV: 'production' } }, 'rails.db.drop @ production: deny'],
    // the variable that turns off Rails' own production guard counts as production
    [{ line: 'rails db:drop', cwd: dirs.rails, env: { DISABLE_DATABASE_ENVIRONMENT_CHECK: '1' } }, 'rails.db.drop @ production: deny'],
    [{ line: 'rails db:drop DISABLE_DATABASE_ENVIRONMENT_CHECK=1', cwd: dirs.rails }, 'rails.db.drop @ production: deny'],
    [{ line: 'rails db:drop', cwd: dirs.railsErb }, 'rails.db.drop @ unknown: deny'],
    // dotenv-rails loads .env.development, whose DATABASE_URL names a production host
    [{ line: 'rails db:drop', cwd: dirs.railsDotenv }, 'rails.db.drop @ production: deny'],
    [{ line: 'rails db:drop', cwd: dirs.railsDotenv, env: { DATABASE_URL: 'postgres://localhost/app_dev' } }, 'rails.db.drop @ development: allow'],
    [{ line: 'rails db:drop', cwd: join(dirs.rails, 'config') }, 'rails.db.drop @ development: allow'],
    // never gated
    [{ line: 'rails db:migrate:status', cwd: dirs.rails, env: { RAILS_ENV: 'production' } }, '- @ production: allow'],
    [{ line: 'rails db:migrate', cwd: dirs.rails, env: { RAILS_ENV: 'production' } }, '- @ production: allow'],
    [{ line: 'rake -n db:drop', cwd: dirs.rails, env: { RAILS_ENV: 'production' } }, '- @ production: allow'],
    [{ line: 'rake -T db', cwd: dirs.rails, env: { RAILS_ENV: 'production' } }, '- @ production: allow'],
    [{ line: 'rails db:drop --help', cwd: dirs.rails, env: { RAILS_ENV: 'production' } }, '- @ production: allow'],
    [{ line: 'rails db:create', cwd: dirs.rails, env: { RAILS_ENV: 'production' } }, '- @ production: allow'],
    // rails runner: Ruby read by its words
    [{ line: `rails runner "Rake::Task['db:drop'].invoke"`, cwd: dirs.rails, env: { RAILS_ENV: 'production' } }, 'rails.runner.destructive @ production: deny'],
    [{ line: 'rails r -e production "User.delete_all"', cwd: dirs.rails }, 'rails.runner.destructive @ production: deny'],
    [{ line: 'rails runner "User.delete_all"', cwd: dirs.rails }, 'rails.runner.destructive @ development: allow'],
    [{ line: 'rails runner "puts User.count"', cwd: dirs.rails, env: { RAILS_ENV: 'production' } }, '- @ production: allow'],
  ], judge);

  it('reads the environment\'s database.yml entries, ERB variables included', async () => {
    const ev = await evaluateLine('rails db:drop', { CHAPERONE_ACTOR: 'agent', RAILS_ENV: 'production', DATABASE_URL: 'postgres://u:pw@pg-main.internal/shop' }, dirs.rails);
    const file = '~/orm/rails/config/database.yml';
    expect(ev.target?.evidence).toContainEqual({ source: 'file', key: 'production.cache.host', value: 'cache.internal', file });
    expect(ev.target?.evidence).toContainEqual({ source: 'file', key: 'production.primary.url', value: 'postgres://u:***@pg-main.internal/shop', file });
  });
});

describe('django', () => {
  const settings = (module: string) => ({ DJANGO_SETTINGS_MODULE: module });
  table<Line, string>(label, [
    [{ line: 'django-admin flush --no-input', cwd: dirs.django, env: settings('config.settings.production') }, 'django.flush @ production: deny'],
    [{ line: 'django-admin flush --settings=config.settings.production', cwd: dirs.django }, 'django.flush @ production: deny'],
    [{ line: 'django-admin flush', cwd: dirs.django, env: settings('config.settings.local') }, 'django.flush @ development: allow'],
    // the settings read DATABASE_URL, which points at production
    [{ line: 'django-admin flush', cwd: dirs.django, env: { ...settings('config.settings.local'), DATABASE_URL: 'postgres://db.prod.example.com/app' } }, 'django.flush @ production: deny'],
    [{ line: 'django-admin flush', cwd: dirs.django, env: settings('mysite.settings') }, 'django.flush @ production: deny'],
    [{ line: 'django-admin flush', cwd: dirs.django, env: settings('lite.settings') }, 'django.flush @ development: allow'],
    [{ line: 'django-admin flush', cwd: dirs.django }, 'django.flush @ unknown: deny'],
    [{ line: 'django-admin migrate shop zero', cwd: dirs.django, env: settings('config.settings.production') }, 'django.migrate.zero @ production: deny'],
    [{ line: 'django-admin migrate --database default shop zero', cwd: dirs.django, env: settings('config.settings.local') }, 'django.migrate.zero @ development: allow'],
    [{ line: 'django-admin reset_db --noinput', cwd: dirs.django, env: settings('config.settings.production') }, 'django.reset-db @ production: deny'],
    [{ line: 'django-admin reset_db', cwd: dirs.django, env: settings('config.settings.local') }, 'django.reset-db @ development: allow'],
    // never gated
    [{ line: 'django-admin migrate', cwd: dirs.django, env: settings('config.settings.production') }, '- @ production: allow'],
    [{ line: 'django-admin migrate shop zero --fake', cwd: dirs.django, env: settings('config.settings.production') }, '- @ production: allow'],
    [{ line: 'django-admin migrate shop zero --plan', cwd: dirs.django, env: settings('config.settings.production') }, '- @ production: allow'],
    [{ line: 'django-admin showmigrations', cwd: dirs.django, env: settings('config.settings.production') }, '- @ production: allow'],
    [{ line: 'django-admin sqlflush', cwd: dirs.django, env: settings('config.settings.production') }, '- @ production: allow'],
    [{ line: 'django-admin flush --help', cwd: dirs.django, env: settings('config.settings.production') }, '- @ production: allow'],
    // shell -c: Python read by its words
    [{ line: `django-admin shell -c "from django.core.management import call_command; call_command('flush', interactive=False)"`, cwd: dirs.django, env: settings('config.settings.production') }, 'django.shell.destructive @ production: deny'],
    [{ line: 'django-admin shell --command="Order.objects.all().delete()"', cwd: dirs.django, env: settings('config.settings.production') }, 'django.shell.destructive @ production: deny'],
    [{ line: 'django-admin shell -c "Order.objects.all().delete()"', cwd: dirs.django, env: settings('config.settings.local') }, 'django.shell.destructive @ development: allow'],
    [{ line: 'django-admin shell -c "print(Order.objects.count()); sys.stdout.flush()"', cwd: dirs.django, env: settings('config.settings.production') }, '- @ production: allow'],
  ], judge);
});

describe('alembic, knex, sequelize-cli, typeorm', () => {
  table<Line, string>(label, [
    [{ line: 'alembic downgrade base', cwd: dirs.alembic }, 'alembic.downgrade @ development: allow'],
    [{ line: 'alembic -n prod downgrade base', cwd: dirs.alembic }, 'alembic.downgrade @ production: deny'],
    [{ line: 'alembic --name=prod downgrade -1', cwd: dirs.alembic }, 'alembic.downgrade @ production: deny'],
    [{ line: 'alembic -x env=production downgrade base', cwd: dirs.alembic }, 'alembic.downgrade @ production: deny'],
    [{ line: 'alembic downgrade base', cwd: dirs.alembicEnv, env: { DATABASE_URL: 'postgresql://db.prod.example.com/app' } }, 'alembic.downgrade @ production: deny'],
    [{ line: 'alembic downgrade base', cwd: dirs.alembicEnv, env: { DATABASE_URL: 'postgresql://localhost/app' } }, 'alembic.downgrade @ development: allow'],
    [{ line: 'alembic downgrade base', cwd: dirs.alembicEnv }, 'alembic.downgrade @ unknown: deny'],
    [{ line: 'alembic -c ../alembic/alembic.ini downgrade base', cwd: dirs.alembicEnv }, 'alembic.downgrade @ development: allow'],
    [{ line: 'alembic downgrade base --sql', cwd: dirs.alembicEnv }, '- @ unknown: allow'],
    [{ line: 'alembic upgrade head', cwd: dirs.alembicEnv }, '- @ unknown: allow'],
    [{ line: 'alembic current', cwd: dirs.alembicEnv }, '- @ unknown: allow'],

    [{ line: 'knex migrate:rollback --all', cwd: dirs.knex, env: { NODE_ENV: 'production' } }, 'knex.migrate.rollback @ production: deny'],
    [{ line: 'knex migrate:rollback --env staging', cwd: dirs.knex }, 'knex.migrate.rollback @ staging: deny'],
    [{ line: 'knex migrate:down', cwd: dirs.knex }, 'knex.migrate.rollback @ development: allow'],
    [{ line: 'knex migrate:rollback --connection postgres://db.prod.example.com/app', cwd: dirs.knex }, 'knex.migrate.rollback @ production: deny'],
    [{ line: 'knex migrate:latest', cwd: dirs.knex, env: { NODE_ENV: 'production' } }, '- @ production: allow'],
    [{ line: 'knex migrate:status', cwd: dirs.knex, env: { NODE_ENV: 'production' } }, '- @ production: allow'],

    [{ line: 'sequelize db:drop', cwd: dirs.sequelize, env: { NODE_ENV: 'production', DATABASE_URL: 'postgres://pg.example.com/app' } }, 'sequelize.db.drop @ production: deny'],
    [{ line: 'sequelize-cli db:drop --env production', cwd: dirs.sequelize }, 'sequelize.db.drop @ unknown: deny'],
    [{ line: 'sequelize db:drop', cwd: dirs.sequelize }, 'sequelize.db.drop @ development: allow'],
    [{ line: 'sequelize db:migrate:undo:all', cwd: dirs.sequelize, env: { NODE_ENV: 'production', DATABASE_URL: 'postgres://pg.example.com/app' } }, 'sequelize.migrate.undo @ production: deny'],
    [{ line: 'sequelize-cli db:seed:undo:all', cwd: dirs.sequelize }, 'sequelize.migrate.undo @ development: allow'],
    [{ line: 'sequelize db:migrate', cwd: dirs.sequelize, env: { NODE_ENV: 'production' } }, '- @ unknown: allow'],
    [{ line: 'sequelize db:migrate:status', cwd: dirs.sequelize, env: { NODE_ENV: 'production' } }, '- @ unknown: allow'],

    [{ line: 'typeorm schema:drop -d src/data-source.ts', cwd: dirs.typeorm, env: { DB_HOST: 'db.prod.example.com' } }, 'typeorm.schema.drop @ production: deny'],
    [{ line: 'typeorm-ts-node-commonjs schema:drop --dataSource=src/data-source.ts', cwd: dirs.typeorm }, 'typeorm.schema.drop @ development: allow'],
    [{ line: 'typeorm schema:sync -d src/data-source.ts', cwd: dirs.typeorm, env: { DB_HOST: 'db.prod.example.com' } }, 'typeorm.schema.drop @ production: deny'],
    [{ line: 'typeorm migration:revert -d src/data-source.ts', cwd: dirs.typeorm, env: { DB_HOST: 'db.prod.example.com' } }, 'typeorm.migration.revert @ production: deny'],
    [{ line: 'typeorm-ts-node-esm migration:revert -d src/data-source.ts', cwd: dirs.typeorm }, 'typeorm.migration.revert @ development: allow'],
    [{ line: 'typeorm schema:drop', cwd: dirs.typeorm }, 'typeorm.schema.drop @ unknown: deny'],
    [{ line: 'typeorm query "TRUNCATE users" -d src/data-source.ts', cwd: dirs.typeorm, env: { DB_HOST: 'db.prod.example.com' } }, 'orm.sql.destroy @ production: deny'],
    [{ line: 'typeorm query "SELECT 1" -d src/data-source.ts', cwd: dirs.typeorm, env: { DB_HOST: 'db.prod.example.com' } }, '- @ production: allow'],
    [{ line: 'typeorm migration:run -d src/data-source.ts', cwd: dirs.typeorm, env: { DB_HOST: 'db.prod.example.com' } }, '- @ production: allow'],
    [{ line: 'typeorm migration:revert --fake -d src/data-source.ts', cwd: dirs.typeorm, env: { DB_HOST: 'db.prod.example.com' } }, '- @ production: allow'],
  ], judge);
});

describe('policy for a human and for a development target', () => {
  it('asks a human at a terminal to type the environment for production', async () => {
    const ev = await evaluateLine('prisma migrate reset --force', {}, dirs.prismaProd);
    expect(ev.decision.verdict).toBe('deny'); // no terminal in the test: a human would be asked
    expect(ev.decision.action).toBe('confirm-name');
  });
  it('lets a development reset run with a notice', async () => {
    const ev = await evaluateLine('prisma migrate reset --force', { CHAPERONE_ACTOR: 'agent' }, dirs.prismaDev);
    expect(ev.decision.action).toBe('notice');
    expect(ev.decision.verdict).toBe('allow');
  });
});
