// The platform CLIs in whole shell lines (check --command, agent hooks): reached through package runners
// (npx, pnpm dlx, bunx, yarn dlx), fed by heredocs, and after a command that switches their target.
// Each case shows `tool:decision:class` per covered command with findings, judged for an agent.

import { describe } from 'vitest';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithEvaluations } from '../../src/cli/check.js';
import { table } from '../helpers/cases.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-platform-lines-')));
const home = join(root, 'home');
const work = join(root, 'work');
mkdirSync(home, { recursive: true });
mkdirSync(work, { recursive: true });
writeFileSync(join(work, 'firebase.json'), '{}');
writeFileSync(join(work, '.firebaserc'), JSON.stringify({ projects: { default: 'acme-dev', prod: 'acme-prod' } }));
const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), PATH: '/usr/bin:/bin' };

async function judge(line: string): Promise<string[]> {
  const { report } = await checkWithEvaluations({ line, cwd: work, env, actor: 'agent' });
  return report.commands.filter((c) => c.covered && c.findings.length > 0).map((c) => `${c.tool}:${c.decision}:${c.environment?.class ?? '-'}`);
}

describe('platform CLIs through package runners', () => {
  table((line) => line, [
    [`npx wrangler d1 execute DB --remote --command 'DROP TABLE users'`, ['wrangler:deny:unknown']],
    [`npx wrangler@3 d1 execute DB --command 'DROP TABLE users'`, ['wrangler:allow:development']],
    ['yarn dlx wrangler r2 bucket delete assets-prod', ['wrangler:deny:production']],
    ['pnpm dlx firebase-tools firestore:delete --all-collections -P prod', ['firebase:deny:production']],
    ['npx -y firebase-tools@13 firestore:delete -r users', ['firebase:allow:development']],
    ['bunx netlify-cli env:unset STRIPE_KEY', ['netlify:deny:production']],
    ['npx neonctl branches delete main --project-id p', ['neonctl:deny:production']],
    ['npx firebase-tools firestore:indexes -P prod', []],
    ['npx netlify-cli dev:exec -- psql -h db.prod.example -c "DROP TABLE users"', ['netlify:deny:production']],
  ], judge);
});

describe('SQL fed to turso db shell by the line', () => {
  table((line) => line, [
    ["turso db shell shop-prod <<'EOF'\nDELETE FROM users;\nEOF", ['turso:deny:production']],
    ["echo 'DROP TABLE users;' | turso db shell shop-prod", ['turso:deny:production']],
    ["echo 'SELECT 1;' | turso db shell shop-prod", []],
    ["turso db shell shop-dev <<< 'DROP TABLE users;'", ['turso:allow:development']],
  ], judge);
});

describe('commands the platform CLIs run: judged against the right target', () => {
  table((line) => line, [
    // pscale shell feeds the branch's client through a local proxy: the SQL is judged against the branch
    ["echo 'DROP TABLE users;' | pscale shell shop main --org acme", ['pscale:deny:production']],
    ["pscale shell shop --org acme <<< 'DELETE FROM users;'", ['pscale:deny:production']],
    ["pscale shell shop dev-1 --org acme <<< 'DROP TABLE users;'", ['pscale:allow:development']],
    ["echo 'SELECT 1;' | pscale shell shop main --org acme", []],
    // neonctl --psql: the psql line runs on the branch
    [`neonctl cs main --project-id p --psql -- -c 'DROP TABLE users'`, ['neonctl:deny:production']],
    [`neonctl cs dev-1 --project-id p --psql -- -c 'DROP TABLE users'`, ['neonctl:allow:development']],
    [`neonctl cs main --project-id p --psql -- -c 'SELECT 1'`, []],
    // what emulators:exec and dev:exec run here is judged where it points
    [`firebase emulators:exec 'psql -h db.prod.example -c "DROP TABLE x"'`, ['firebase:deny:production']],
    [`firebase emulators:exec 'npm test'`, []],
    [`netlify dev:exec psql -h db.prod.example -c 'DROP TABLE x'`, ['netlify:deny:production']],
  ], judge);
});

describe('a switch earlier in the line makes the target unknown', () => {
  table((line) => line, [
    ['firebase firestore:delete -r users', ['firebase:allow:development']],
    ['firebase use prod && firebase firestore:delete -r users', ['firebase:deny:unknown']],
    ['firebase use && firebase firestore:delete -r users', ['firebase:allow:development']],
    ['az account set --subscription "Acme Production" && az group delete -n shop-dev', ['az:deny:unknown']],
    ['az group delete -n shop-dev', ['az:allow:development']],
    ['neonctl set-context --project-id p && neonctl branches delete dev-1', ['neonctl:deny:unknown']],
    ['turso org switch acme && turso db destroy shop-dev', ['turso:deny:unknown']],
    ['pscale org switch acme; pscale branch delete shop dev-1 --org acme', ['pscale:deny:unknown']],
  ], judge);
});
