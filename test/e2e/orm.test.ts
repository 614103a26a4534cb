// Migration and ORM tools through the real shims, with recording doubles standing in for prisma, rails,
// rake, django-admin, drizzle-kit and alembic, and the line analysis (check --command, the Claude hook)
// for the runners the shims cannot see (`npx prisma`, `python manage.py`). The database each call
// targets comes from the project's own files in the sandbox.

import { beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['prisma', 'rails', 'rake', 'django-admin', 'drizzle-kit', 'alembic', 'psql']);
  for (const tool of ['prisma', 'rails', 'rake', 'django-admin', 'drizzle-kit', 'alembic', 'psql']) sb.double(tool, { stdout: `${tool} ran\n` });
  sb.write('work/package.json', '{"name":"shop","scripts":{"db:reset":"prisma migrate reset --force"}}');
  sb.write('work/prisma/schema.prisma', 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n');
});

const prodEnv = () => sb.write('work/.env', 'DATABASE_URL="postgresql://app:s3cret@db.prod.example.com:5432/shop"\n');
const devEnv = () => sb.write('work/.env', 'DATABASE_URL=postgresql://postgres@localhost:5432/shop_dev\n');
const agent = { CHAPERONE_ACTOR: 'agent' };

describe('prisma through its shim', () => {
  it('refuses an agent\'s migrate reset against the production database its .env names; prisma never runs', async () => {
    prodEnv();
    const result = await sb.run('prisma', ['migrate', 'reset', '--force'], { env: agent });
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('chaperone: refused: prisma migrate reset --force');
    expect(result.stderr).toContain('prisma.migrate.reset [destroy]');
    expect(result.stderr).toContain('shop (production)');
    expect(result.stderr).toContain(`file ${join(sb.work, '.env')} DATABASE_URL = postgresql://app:***@db.prod.example.com:5432/shop`);
    expect(result.stderr).not.toContain('s3cret');
    expect(sb.record('prisma')).toBeUndefined();
  });

  it('refuses db push --accept-data-loss the same way', async () => {
    prodEnv();
    const result = await sb.run('prisma', ['db', 'push', '--accept-data-loss'], { env: agent });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('prisma.db.push.accept-data-loss');
    expect(sb.record('prisma')).toBeUndefined();
  });

  it('runs a development reset untouched, with a one-line notice', async () => {
    devEnv();
    const args = ['migrate', 'reset', '--force', '--skip-seed'];
    const result = await sb.run('prisma', args, { env: agent });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('prisma ran\n');
    expect(result.stderr).toBe('chaperone: prisma.migrate.reset in shop_dev (development): allowed\n');
    expect(sb.record('prisma')?.argv).toEqual(args);
    expect(sb.record('prisma')?.cwd).toBe(sb.work);
  });

  it('passes migrate status through silently, even against production', async () => {
    prodEnv();
    const result = await sb.run('prisma', ['migrate', 'status'], { env: agent });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('prisma')?.argv).toEqual(['migrate', 'status']);
  });

  it('reads the SQL piped into db execute --stdin: a DROP is refused, a SELECT reaches prisma byte for byte', async () => {
    prodEnv();
    const refused = await sb.run('prisma', ['db', 'execute', '--stdin', '--schema', 'prisma/schema.prisma'], { env: agent, input: 'DROP TABLE users;\n' });
    expect(refused.exitCode).toBe(77);
    expect(refused.stderr).toContain('orm.sql.destroy');
    expect(sb.record('prisma')).toBeUndefined();
    const input = 'SELECT count(*) FROM users;\n-- ü\n';
    const allowed = await sb.run('prisma', ['db', 'execute', '--stdin', '--schema', 'prisma/schema.prisma'], { env: agent, input });
    expect(allowed.exitCode).toBe(0);
    expect(sb.record('prisma')?.stdin.toString('utf8')).toBe(input);
  });
});

describe('rails and rake through their shims', () => {
  beforeEach(() => {
    sb.write('work/config/database.yml', 'development:\n  adapter: postgresql\n  database: shop_development\n  host: localhost\nproduction:\n  adapter: postgresql\n  url: <%= ENV["DATABASE_URL"] %>\n');
  });

  it('refuses rake db:drop RAILS_ENV=production, and rails db:reset with RAILS_ENV=production', async () => {
    const rake = await sb.run('rake', ['db:drop', 'RAILS_ENV=production'], { env: agent });
    expect(rake.exitCode).toBe(77);
    expect(rake.stderr).toContain('rails.db.drop [destroy]');
    expect(rake.stderr).toContain('evidence   argument RAILS_ENV: production');
    const rails = await sb.run('rails', ['db:reset'], { env: { ...agent, RAILS_ENV: 'production' } });
    expect(rails.exitCode).toBe(77);
    expect(rails.stderr).toContain('rails.db.reset [destroy]');
    expect(sb.record('rake')).toBeUndefined();
    expect(sb.record('rails')).toBeUndefined();
  });

  it('counts DISABLE_DATABASE_ENVIRONMENT_CHECK as production, whatever RAILS_ENV says', async () => {
    const result = await sb.run('rails', ['db:drop'], { env: { ...agent, RAILS_ENV: 'development', DISABLE_DATABASE_ENVIRONMENT_CHECK: '1' } });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('DISABLE_DATABASE_ENVIRONMENT_CHECK');
    expect(sb.record('rails')).toBeUndefined();
  });

  it('runs db:drop in development with a notice, and db:migrate:status silently', async () => {
    const drop = await sb.run('rails', ['db:drop'], { env: agent });
    expect(drop.exitCode).toBe(0);
    expect(drop.stderr).toBe('chaperone: rails.db.drop in development (development): allowed\n');
    expect(sb.record('rails')?.argv).toEqual(['db:drop']);
    const status = await sb.run('rake', ['db:migrate:status'], { env: { ...agent, RAILS_ENV: 'production' } });
    expect(status.exitCode).toBe(0);
    expect(status.stderr).toBe('');
    expect(sb.record('rake')?.argv).toEqual(['db:migrate:status']);
  });

  it('catches bundle exec, which finds rails on PATH (a stand-in for Bundler that execs its command)', async () => {
    const bundle = sb.write('doubles/bundle', '#!/bin/sh\n[ "$1" = exec ] && shift\nexec "$@"\n');
    chmodSync(bundle, 0o755);
    const result = await sb.sh('bundle exec rails db:schema:load', { env: { ...agent, RAILS_ENV: 'production' } });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('rails.db.schema.load');
    expect(sb.record('rails')).toBeUndefined();
  });
});

describe('django-admin, drizzle-kit and alembic through their shims', () => {
  it('refuses django-admin flush with production settings; runs it with local settings', async () => {
    const refused = await sb.run('django-admin', ['flush', '--no-input'], { env: { ...agent, DJANGO_SETTINGS_MODULE: 'config.settings.production' } });
    expect(refused.exitCode).toBe(77);
    expect(refused.stderr).toContain('django.flush [destroy]');
    expect(sb.record('django-admin')).toBeUndefined();
    const allowed = await sb.run('django-admin', ['flush', '--no-input'], { env: { ...agent, DJANGO_SETTINGS_MODULE: 'config.settings.local' } });
    expect(allowed.exitCode).toBe(0);
    expect(sb.record('django-admin')?.argv).toEqual(['flush', '--no-input']);
  });

  it('refuses drizzle-kit push --force when its config names production; lets plain push through', async () => {
    sb.write('work/drizzle.config.ts', "import 'dotenv/config';\nexport default { dialect: 'postgresql', dbCredentials: { url: process.env.DATABASE_URL! } };\n");
    prodEnv();
    const refused = await sb.run('drizzle-kit', ['push', '--force'], { env: agent });
    expect(refused.exitCode).toBe(77);
    expect(refused.stderr).toContain('drizzle-kit.push.force');
    expect(sb.record('drizzle-kit')).toBeUndefined();
    const plain = await sb.run('drizzle-kit', ['push'], { env: agent });
    expect(plain.exitCode).toBe(0);
    expect(sb.record('drizzle-kit')?.argv).toEqual(['push']);
  });

  it('refuses alembic downgrade base on the URL in alembic.ini, and lets --sql print it', async () => {
    sb.write('work/alembic.ini', '[alembic]\nscript_location = migrations\nsqlalchemy.url = postgresql://app@db.prod.example.com/shop\n');
    const refused = await sb.run('alembic', ['downgrade', 'base'], { env: agent });
    expect(refused.exitCode).toBe(77);
    expect(refused.stderr).toContain('alembic.downgrade');
    expect(sb.record('alembic')).toBeUndefined();
    const offline = await sb.run('alembic', ['downgrade', 'base', '--sql'], { env: agent });
    expect(offline.exitCode).toBe(0);
    expect(sb.record('alembic')?.argv).toEqual(['downgrade', 'base', '--sql']);
  });
});

describe('runners the shims cannot see, judged by the line analysis', () => {
  async function checkLine(line: string, env: Record<string, string> = {}) {
    const result = await sb.chaperone(['check', '--json', '--actor', 'agent', '--command', line], { env });
    return { exitCode: result.exitCode, report: JSON.parse(String(result.stdout)) as { decision: string; commands: { tool: string; findings: { rule: string }[]; environment: { class: string } | null; via?: string[] }[] } };
  }

  it('denies npx, pnpm exec, yarn, bunx and npm run spellings of a production reset', async () => {
    prodEnv();
    for (const line of ['npx prisma migrate reset --force', 'pnpm exec prisma migrate reset --force', 'yarn prisma migrate reset --force', 'bunx prisma migrate reset --force', 'npm run db:reset']) {
      const { exitCode, report } = await checkLine(line);
      expect(exitCode, line).toBe(77);
      expect(report.decision, line).toBe('deny');
      expect(report.commands.find((c) => c.tool === 'prisma')?.environment?.class, line).toBe('production');
    }
  });

  it('allows the same line against a development database, and npx prisma migrate status anywhere', async () => {
    devEnv();
    expect((await checkLine('npx prisma migrate reset --force')).exitCode).toBe(0);
    prodEnv();
    expect((await checkLine('npx prisma migrate status')).exitCode).toBe(0);
  });

  it('maps python manage.py to django-admin with the settings manage.py defaults to', async () => {
    sb.write('work/manage.py', '#!/usr/bin/env python\nimport os, sys\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.production")\nfrom django.core.management import execute_from_command_line\nexecute_from_command_line(sys.argv)\n');
    const { exitCode, report } = await checkLine('poetry run python manage.py flush --no-input');
    expect(exitCode).toBe(77);
    const flush = report.commands.find((c) => c.tool === 'django-admin');
    expect(flush?.findings.map((f) => f.rule)).toEqual(['django.flush']);
    expect(flush?.via).toEqual(['poetry run', 'manage.py']);
    expect((await checkLine('python manage.py showmigrations')).exitCode).toBe(0);
  });

  it('denies through the Claude hook, with the rule and the environment in the reason', async () => {
    prodEnv();
    const text = readFileSync(new URL('../fixtures/hooks/claude.json', import.meta.url), 'utf8');
    const input = text.replace(/"COMMAND"/g, JSON.stringify('bundle exec rails db:drop && npx prisma migrate reset --force')).replace(/"CWD"/g, JSON.stringify(sb.work));
    const result = await sb.chaperone(['hook', 'claude'], { input, env: { RAILS_ENV: 'development' } });
    expect(result.exitCode).toBe(2);
    const reason: string = JSON.parse(String(result.stdout)).hookSpecificOutput.permissionDecisionReason;
    expect(reason).toContain('prisma.migrate.reset');
    expect(reason).toContain('production');
  });
});
