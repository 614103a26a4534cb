// How app repositories run their migration tools, seen by the line analysis (agent hooks, check
// --command): package runners, Bundler, binstubs, manage.py, python -m, poetry/uv/pipenv. Each is mapped
// to the tool itself, so the tool's rules and its own config decide; then what a refused agent types next.

import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { analyzeLine, type ShellCommand } from '../../src/shell/analyze.js';
import { check } from '../../src/cli/check.js';
import { table } from '../helpers/cases.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-app-runners-')));
function write(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}
const manage = (module: string) => `#!/usr/bin/env python\nimport os, sys\n\nif __name__ == "__main__":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "${module}")\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n`;
write('manage.py', manage('shop.settings.production'));
write('backend/manage.py', manage('api.settings.dev'));
write('tools/admin_cli.py', `import sys\nfrom django.core.management import execute_from_command_line\nexecute_from_command_line(sys.argv)\n`);
write('wipe.py', 'print("nothing to see")\n');
write('.env.prod', 'DATABASE_URL=postgres://db.prod.example.com/shop\nDJANGO_SETTINGS_MODULE=shop.settings.production\n');
write('Pipfile', '[packages]\ndjango = "*"\n');
write('.env', 'DJANGO_SETTINGS_MODULE=shop.settings.staging\n');
write('node_modules/prisma/build/index.js', '#!/usr/bin/env node\n');
mkdirSync(join(root, 'node_modules/.bin'), { recursive: true });
symlinkSync('../prisma/build/index.js', join(root, 'node_modules/.bin/prisma'));
write('package.json', '{"name":"shop","workspaces":["apps/*"],"scripts":{"db:reset":"prisma migrate reset --force"}}');
write('apps/api/package.json', '{"name":"api"}');
write('apps/api/prisma/schema.prisma', 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n');
write('apps/api/.env', 'DATABASE_URL=postgres://db.prod.example.com/api\n');
write('bin/rails', '#!/usr/bin/env ruby\nAPP_PATH = File.expand_path("../config/application", __dir__)\nrequire "rails/commands"\n');

const context = { cwd: root, env: { HOME: '/home/me', PATH: '/usr/bin:/bin' } };

function show(c: ShellCommand): string {
  const parts = [c.argv.join(' ')];
  const env = Object.entries(c.env).filter(([k]) => k !== 'PATH').map(([k, v]) => `${k}=${v.replaceAll(root, '.')}`);
  if (env.length > 0) parts.push(`[${env.join(' ')}]`);
  if (c.cwd !== root) parts.push(`@${relative(root, c.cwd) || '.'}`);
  if (c.via.length > 0) parts.push(`via ${c.via.join(' > ')}`);
  return parts.join('  ');
}

function analyze(line: string): string[] {
  const analysis = analyzeLine(line, context);
  return [...analysis.commands.map(show), ...(analysis.unknown ?? []).map((u) => `unknown: ${u.reason.replaceAll(root, '.')}`)];
}

describe('runners map to the migration tools', () => {
  table<string, string[]>((line) => line, [
    // package runners (runners.ts) and a project binary reached by path
    ['npx prisma migrate reset --force', ['prisma migrate reset --force  via npx']],
    ['npx prisma@5.22.0 migrate reset', ['prisma migrate reset  via npx']],
    ['pnpm exec prisma db push --force-reset', ['prisma db push --force-reset  via pnpm exec']],
    ['pnpm dlx prisma migrate reset', ['prisma migrate reset  via pnpm dlx']],
    ['yarn prisma migrate reset', ['prisma migrate reset  via yarn']],
    ['bunx prisma migrate reset', ['prisma migrate reset  via bunx']],
    ['./node_modules/.bin/prisma migrate reset', ['prisma migrate reset']],
    ['npm run db:reset', ['prisma migrate reset --force  [npm_lifecycle_event=db:reset]  via npm run db:reset']],
    ['yarn workspace api prisma migrate reset', ['prisma migrate reset  @apps/api  via yarn prisma']],
    ['pnpm -C apps/api exec prisma migrate reset', ['prisma migrate reset  @apps/api  via pnpm exec']],
    ['npx drizzle-kit push --force', ['drizzle-kit push --force  via npx']],
    ['npx sequelize-cli db:drop', ['sequelize-cli db:drop  via npx']],
    ['npx typeorm-ts-node-commonjs schema:drop -d src/ds.ts', ['typeorm-ts-node-commonjs schema:drop -d src/ds.ts  via npx']],
    ['npx knex migrate:rollback --all', ['knex migrate:rollback --all  via npx']],
    // Bundler and binstubs
    ['bundle exec rails db:drop', ['rails db:drop  via bundle exec']],
    ['bundle exec --gemfile=Gemfile rake db:reset', ['rake db:reset  via bundle exec']],
    ['bundle ex rake db:reset', ['rake db:reset  via bundle ex']],
    ['bin/rails db:drop', ['rails db:drop']],
    ['./bin/rake db:schema:load', ['rake db:schema:load']],
    ['RAILS_ENV=production bin/rails db:drop', ['rails db:drop  [RAILS_ENV=production]']],
    // Django: the settings module manage.py defaults to comes along
    ['python manage.py flush --no-input', ['django-admin flush --no-input  [DJANGO_SETTINGS_MODULE=shop.settings.production]  via manage.py']],
    ['python3 manage.py flush', ['django-admin flush  [DJANGO_SETTINGS_MODULE=shop.settings.production]  via manage.py']],
    ['./manage.py migrate shop zero', ['django-admin migrate shop zero  [DJANGO_SETTINGS_MODULE=shop.settings.production]  via ./manage.py']],
    ['python -W ignore backend/manage.py flush', ['django-admin flush  [DJANGO_SETTINGS_MODULE=api.settings.dev PYTHONPATH=./backend]  via backend/manage.py']],
    ['DJANGO_SETTINGS_MODULE=shop.settings.test python manage.py flush', ['django-admin flush  [DJANGO_SETTINGS_MODULE=shop.settings.test]  via manage.py']],
    ['python tools/admin_cli.py flush', ['django-admin flush  [PYTHONPATH=./tools]  via tools/admin_cli.py']],
    ['python3 -m django flush', ['django-admin flush  via python3 -m django']],
    ['python -m alembic downgrade base', ['alembic downgrade base  via python -m alembic']],
    ['python wipe.py', []],
    // Python project runners
    ['poetry run python manage.py flush', ['django-admin flush  [DJANGO_SETTINGS_MODULE=shop.settings.production]  via poetry run > manage.py']],
    ['poetry -C backend run alembic downgrade base', ['alembic downgrade base  @backend  via poetry run']],
    ['uv run manage.py flush', ['django-admin flush  [DJANGO_SETTINGS_MODULE=shop.settings.production]  via uv run > manage.py']],
    ['uv run --with psycopg alembic downgrade base', ['alembic downgrade base  via uv run']],
    ['uv run -m django flush', ['django-admin flush  via uv run > python -m django']],
    ['uv run --env-file .env.prod -- django-admin flush', ['django-admin flush  [DATABASE_URL=postgres://db.prod.example.com/shop DJANGO_SETTINGS_MODULE=shop.settings.production]  via uv run']],
    ['uv run --env-file "$F" django-admin flush', ['unknown: uv run --env-file $F: the variables it sets come from a file chaperone cannot read here']],
    // pipenv loads the project's .env, which does not override what the line sets
    ['pipenv run django-admin flush', ['django-admin flush  [DJANGO_SETTINGS_MODULE=shop.settings.staging]  via pipenv run']],
    ['pipenv run python manage.py flush', ['django-admin flush  [DJANGO_SETTINGS_MODULE=shop.settings.staging]  via pipenv run > manage.py']],
    ['PIPENV_DONT_LOAD_ENV=1 pipenv run django-admin flush', ['django-admin flush  [PIPENV_DONT_LOAD_ENV=1]  via pipenv run']],
    // nothing to map: the command stays what it is
    ['bundle install', ['bundle install']],
    ['poetry install', ['poetry install']],
    ['uv sync', ['uv sync']],
  ], analyze);
});

describe('what check --command decides for an agent', () => {
  const agent = async (line: string, env: NodeJS.ProcessEnv = {}) => {
    const report = await check({ line, cwd: root, env: { ...context.env, ...env }, actor: 'agent' });
    return `${report.decision}: ${report.commands.flatMap((c) => c.findings.map((f) => `${f.rule}@${c.environment?.class}`)).join(' ')}`;
  };
  table<[string, NodeJS.ProcessEnv?], string>(([line, env]) => `${Object.entries(env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}${line}`, [
    [['npx prisma migrate reset --force', { DATABASE_URL: 'postgresql://db.prod.example.com/shop' }], 'deny: prisma.migrate.reset@production'],
    [['yarn prisma migrate reset --force', { DATABASE_URL: 'postgresql://localhost/shop_dev' }], 'allow: prisma.migrate.reset@development'],
    [['npx prisma migrate status', { DATABASE_URL: 'postgresql://db.prod.example.com/shop' }], 'allow: '],
    [['bundle exec rails db:drop', { RAILS_ENV: 'production' }], 'deny: rails.db.drop@production'],
    [['bin/rails db:drop'], 'allow: rails.db.drop@development'],
    [['yarn workspace api prisma migrate reset --force'], 'deny: prisma.migrate.reset@production'],
    [['bin/rails db:migrate:status', { RAILS_ENV: 'production' }], 'allow: '],
    [['python manage.py flush --no-input'], 'deny: django.flush@production'],
    [['cd backend && python manage.py flush'], 'allow: django.flush@development'],
    [['python manage.py showmigrations'], 'allow: '],
    [['poetry run python manage.py migrate shop zero'], 'deny: django.migrate.zero@production'],
    [['uv run --env-file .env.prod python manage.py flush', { DJANGO_SETTINGS_MODULE: 'shop.settings.dev' }], 'deny: django.flush@production'],
    [['python -m alembic downgrade base'], 'deny: alembic.downgrade@unknown'],
    // SQL the line feeds the database's client through manage.py (the runner's stdin reaches it)
    [["python manage.py dbshell <<< 'TRUNCATE users'"], 'deny: orm.sql.destroy@production'],
    [["echo 'DELETE FROM users;' | poetry run python manage.py dbshell"], 'deny: orm.sql.unscoped-write@production'],
    [["python manage.py dbshell <<< 'SELECT count(*) FROM users'"], 'allow: '],
    // Python fed to manage.py shell, the agent's next move after flush is refused
    [["python manage.py shell <<< 'from django.core.management import call_command; call_command(\"flush\")'"], 'deny: django.shell.destructive@production'],
    [["python manage.py shell -c 'User.objects.all().delete()'"], 'deny: django.shell.destructive@production'],
    [['bin/rails runner "ActiveRecord::Base.connection.drop_table(:users)"', { RAILS_ENV: 'production' }], 'deny: rails.runner.destructive@production'],
  ], async ([line, env]) => agent(line, env));

  it('follows a refused agent: another runner, another spelling, the same verdict', async () => {
    const prod = { DATABASE_URL: 'postgresql://db.prod.example.com/shop' };
    for (const line of [
      'npx prisma migrate reset --force',
      'npx --yes prisma migrate reset --force',
      'pnpm exec prisma migrate reset --force',
      'bunx prisma migrate reset --force',
      './node_modules/.bin/prisma migrate reset --force',
      'sh -c "npx prisma migrate reset --force"',
      'npm run db:reset',
      'env -u RAILS_ENV npx prisma db push --force-reset',
      "npx prisma db execute --stdin <<< 'DROP SCHEMA public CASCADE'",
    ]) {
      expect(await agent(line, prod), line).toMatch(/^deny: (prisma|orm)\./);
    }
    // RAILS_ENV=development on the line does not launder a production DATABASE_URL
    expect(await agent('RAILS_ENV=development bin/rails db:drop', prod)).toBe('deny: rails.db.drop@production');
    expect(await agent('bin/rails db:drop DISABLE_DATABASE_ENVIRONMENT_CHECK=1', { RAILS_ENV: 'development' })).toBe('deny: rails.db.drop@production');
    // nor does a settings module that says dev, when the variable Django reads says production
    expect(await agent('DJANGO_SETTINGS_MODULE=x.dev python manage.py flush', prod)).toBe('deny: django.flush@production');
  });
});
