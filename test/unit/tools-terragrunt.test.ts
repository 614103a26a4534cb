// terragrunt: which invocations the built-in rules gate (old and new CLI spellings, terraform's flags
// passed through), and what each one targets: the working directory, and with --all every unit below.

import { beforeAll, describe } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine, rulesOf } from '../helpers/evaluate.js';

interface Line {
  line: string;
  env?: NodeJS.ProcessEnv;
}
const label = ({ line, env = {} }: Line) => `${Object.entries(env).map(([k, v]) => `${k}=${v} `).join('')}${line}`;

describe('terragrunt commands against the built-in rules', () => {
  table(label, [
    [{ line: 'terragrunt destroy' }, 'terragrunt.destroy'],
    [{ line: 'terragrunt destroy -auto-approve' }, 'terragrunt.destroy'],
    [{ line: 'terragrunt run-all destroy --terragrunt-non-interactive' }, 'terragrunt.destroy'],
    [{ line: 'terragrunt destroy-all' }, 'terragrunt.destroy'],
    [{ line: 'terragrunt run destroy' }, 'terragrunt.destroy'],
    [{ line: 'terragrunt run -- destroy -auto-approve' }, 'terragrunt.destroy'],
    [{ line: 'terragrunt run --all destroy' }, 'terragrunt.destroy'],
    [{ line: 'terragrunt run --all --non-interactive -- destroy' }, 'terragrunt.destroy'],
    [{ line: 'terragrunt destroy --all' }, 'terragrunt.destroy'],
    [{ line: 'terragrunt stack run destroy' }, 'terragrunt.destroy'],
    [{ line: 'terragrunt --log-level debug destroy' }, 'terragrunt.destroy'],
    [{ line: 'terragrunt --terragrunt-working-dir live/prod destroy' }, 'terragrunt.destroy'],
    [{ line: 'terragrunt --working-dir=live/prod run -- destroy' }, 'terragrunt.destroy'],
    [{ line: 'terragrunt apply -destroy' }, 'terragrunt.apply.destroy'],
    [{ line: 'terragrunt apply --destroy -auto-approve' }, 'terragrunt.apply.destroy'],
    [{ line: 'terragrunt run-all apply -destroy' }, 'terragrunt.apply.destroy'],
    [{ line: 'terragrunt run --all -- apply -destroy' }, 'terragrunt.apply.destroy'],
    [{ line: 'terragrunt run -- apply -var-file prod.tfvars -destroy' }, 'terragrunt.apply.destroy'],
    [{ line: 'terragrunt apply -auto-approve', env: { TF_CLI_ARGS_apply: '-destroy' } }, 'terragrunt.apply.destroy'],
    [{ line: 'terragrunt run --all apply', env: { TF_CLI_ARGS: '-destroy' } }, 'terragrunt.apply.destroy'],
    [{ line: 'terragrunt apply -auto-approve' }, 'terragrunt.apply'],
    [{ line: 'terragrunt apply-all' }, 'terragrunt.apply'],
    [{ line: 'terragrunt apply -destroy=false' }, 'terragrunt.apply'],
    [{ line: 'terragrunt state rm aws_db_instance.main' }, 'terragrunt.state.rm'],
    [{ line: 'terragrunt run -- state rm aws_db_instance.main' }, 'terragrunt.state.rm'],
    [{ line: 'terragrunt state mv a b' }, 'terragrunt.state.mv'],
    [{ line: 'terragrunt workspace delete prod' }, 'terragrunt.workspace.delete'],
    [{ line: 'terragrunt force-unlock 6638ea1c' }, 'terragrunt.force-unlock'],
    [{ line: 'terragrunt backend delete --all' }, 'terragrunt.backend.delete'],
    // never gated
    [{ line: 'terragrunt plan -destroy' }, ''],
    [{ line: 'terragrunt run-all plan -destroy' }, ''],
    [{ line: 'terragrunt run --all plan' }, ''],
    [{ line: 'terragrunt plan', env: { TF_CLI_ARGS: '-destroy' } }, ''],
    [{ line: 'terragrunt output -json' }, ''],
    [{ line: 'terragrunt state list' }, ''],
    [{ line: 'terragrunt state rm -dry-run aws_db_instance.main' }, ''],
    [{ line: 'terragrunt hclfmt' }, ''],
    [{ line: 'terragrunt validate-inputs' }, ''],
    [{ line: 'terragrunt find --json' }, ''],
    [{ line: 'terragrunt backend bootstrap' }, ''],
    [{ line: 'terragrunt destroy --help' }, ''],
    [{ line: 'terragrunt run-all destroy -help' }, ''],
    [{ line: 'terragrunt run --all -- destroy -h' }, ''],
    [{ line: 'terragrunt --version' }, ''],
    [{ line: 'terragrunt help' }, ''],
    [{ line: 'terragrunt' }, ''],
  ], ({ line, env }) => rulesOf(line, env));
});

// A repository with envs/prod and envs/dev units, and a shared unit that names no environment. (Not
// `live/`: Gruntwork's infrastructure-live layout reads as production, `live` being a production word.)
const home = join(emptyHome, 'terragrunt-home');
const repo = join(home, 'code', 'infra');
const live = join(repo, 'envs');
const units = ['prod/app', 'prod/db', 'dev/app', 'dev/db'];
const mixed = join(repo, 'stacks');

beforeAll(() => {
  mkdirSync(join(repo, '.git'), { recursive: true });
  for (const unit of units) {
    mkdirSync(join(live, unit), { recursive: true });
    writeFileSync(join(live, unit, 'terragrunt.hcl'), 'terraform { source = "../../modules/app" }\n');
  }
  writeFileSync(join(live, 'terragrunt.hcl'), '# root config\n');
  mkdirSync(join(home, 'code', 'infrastructure-live', 'dev', 'app'), { recursive: true });
  for (const unit of ['dev/app', 'shared/vpc']) {
    mkdirSync(join(mixed, unit), { recursive: true });
    writeFileSync(join(mixed, unit, 'terragrunt.hcl'), '');
  }
});

interface Case extends Line {
  cwd: string;
}
const where = (c: Case) => `${label(c)} (in ${c.cwd.replace(home, '~')})`;
/** "<name> <class> <verdict> <source:key of each piece of evidence>" */
const target = async ({ line, cwd, env = {} }: Case) => {
  const e = await evaluateLine(line, { HOME: home, ...env }, cwd);
  return `${e.target!.name ?? '-'} ${e.target!.class} ${e.decision.verdict} ${e.target!.evidence.map((x) => `${x.source}:${x.key}`).join(' ')}`;
};

describe('terragrunt target', () => {
  table(where, [
    [{ line: 'terragrunt destroy', cwd: join(live, 'prod/app') }, 'app production deny default:working directory'],
    [{ line: 'terragrunt destroy', cwd: join(live, 'dev/app') }, 'app development allow default:working directory'],
    [{ line: 'terragrunt run --all destroy', cwd: join(live, 'dev') }, 'dev development allow default:working directory flag:--all'],
    [{ line: 'terragrunt run-all destroy', cwd: live }, 'envs production deny default:working directory flag:--all'],
    [{ line: 'terragrunt destroy', cwd: join(live, 'dev/app'), env: { TG_ALL: 'true' } }, 'app development allow default:working directory env:TG_ALL'],
    [{ line: 'terragrunt destroy', cwd: live, env: { TG_ALL: '1' } }, 'envs production deny default:working directory env:TG_ALL'],
    // dev units cannot vouch for shared/vpc, which names nothing
    [{ line: 'terragrunt run-all destroy', cwd: mixed }, 'stacks unknown deny default:working directory flag:--all'],
    [{ line: 'terragrunt run --all destroy', cwd: join(mixed, 'dev') }, 'dev development allow default:working directory flag:--all'],
    [{ line: 'terragrunt run --all destroy', cwd: join(mixed, 'shared') }, 'shared unknown deny default:working directory flag:--all'],
    [{ line: 'terragrunt --working-dir ../prod/app destroy', cwd: join(live, 'dev') }, 'app production deny flag:--working-dir'],
    [{ line: 'terragrunt --terragrunt-working-dir=../prod/app destroy', cwd: join(live, 'dev') }, 'app production deny flag:--working-dir'],
    [{ line: 'terragrunt destroy', cwd: join(live, 'dev'), env: { TG_WORKING_DIR: '../prod/db' } }, 'db production deny env:TG_WORKING_DIR'],
    [{ line: 'terragrunt destroy', cwd: join(live, 'dev'), env: { TERRAGRUNT_WORKING_DIR: '../prod/db' } }, 'db production deny env:TERRAGRUNT_WORKING_DIR'],
    [{ line: 'terragrunt destroy', cwd: join(live, 'dev/app'), env: { TF_WORKSPACE: 'production' } }, 'app production deny default:working directory env:TF_WORKSPACE'],
    [{ line: 'terragrunt destroy -var-file=prod.tfvars', cwd: join(live, 'dev/app') }, 'app production deny default:working directory flag:-var-file'],
    [{ line: 'terragrunt apply', cwd: join(live, 'dev/app'), env: { TF_CLI_ARGS_apply: '-destroy' } }, 'app development allow default:working directory env:TF_CLI_ARGS_apply'],
    [{ line: 'terragrunt destroy', cwd: join(home, 'code', 'infrastructure-live', 'dev', 'app') }, 'app production deny default:working directory'],
  ], target);
});
