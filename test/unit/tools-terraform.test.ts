// terraform and tofu: which invocations the built-in rules gate, and what each one targets.

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

describe('terraform commands against the built-in rules', () => {
  table(label, [
    [{ line: 'terraform destroy' }, 'terraform.destroy'],
    [{ line: 'terraform destroy -auto-approve' }, 'terraform.destroy'],
    [{ line: 'tofu destroy -auto-approve' }, 'terraform.destroy'],
    [{ line: 'terraform -chdir=envs/prod destroy -auto-approve' }, 'terraform.destroy'],
    [{ line: 'terraform destroy -target=aws_s3_bucket.logs -var-file prod.tfvars' }, 'terraform.destroy'],
    [{ line: 'terraform destroy -destroy=false' }, 'terraform.destroy'],
    [{ line: 'terraform apply -destroy' }, 'terraform.apply.destroy'],
    [{ line: 'terraform apply --destroy -auto-approve' }, 'terraform.apply.destroy'],
    [{ line: 'terraform apply -destroy=true' }, 'terraform.apply.destroy'],
    [{ line: 'terraform apply -auto-approve -destroy' }, 'terraform.apply.destroy'],
    [{ line: 'terraform apply -var-file prod.tfvars -destroy' }, 'terraform.apply.destroy'],
    [{ line: 'terraform apply -auto-approve', env: { TF_CLI_ARGS_apply: '-destroy' } }, 'terraform.apply.destroy'],
    [{ line: 'terraform apply -auto-approve', env: { TF_CLI_ARGS: '-destroy' } }, 'terraform.apply.destroy'],
    [{ line: 'terraform -chdir=envs/prod apply', env: { TF_CLI_ARGS_apply: '-input=false "-destroy"' } }, 'terraform.apply.destroy'],
    [{ line: 'terraform state rm aws_db_instance.main' }, 'terraform.state.rm'],
    [{ line: 'terraform state rm -backup=- aws_db_instance.main' }, 'terraform.state.rm'],
    [{ line: 'tofu state remove aws_db_instance.main' }, 'terraform.state.rm'],
    [{ line: 'terraform state rm -dry-run=false aws_db_instance.main' }, 'terraform.state.rm'],
    [{ line: 'terraform workspace delete prod' }, 'terraform.workspace.delete'],
    [{ line: 'terraform workspace delete -force staging' }, 'terraform.workspace.delete'],
    [{ line: 'terraform env delete prod' }, 'terraform.workspace.delete'],
    [{ line: 'terraform force-unlock 6638ea1c-2c9e-d9a4-e19c-3c1a1e2a7c6f' }, 'terraform.force-unlock'],
    [{ line: 'terraform force-unlock -force 6638ea1c' }, 'terraform.force-unlock'],
    // never gated
    [{ line: 'terraform plan -destroy' }, ''],
    [{ line: 'terraform plan -destroy -out=destroy.tfplan' }, ''],
    [{ line: 'terraform plan', env: { TF_CLI_ARGS: '-destroy' } }, ''],
    [{ line: 'terraform plan' }, ''],
    [{ line: 'terraform apply -auto-approve' }, 'terraform.apply'], // a plain apply changes real infrastructure: disrupt
    [{ line: 'terraform apply -destroy=false' }, 'terraform.apply'],
    [{ line: 'terraform state mv a b' }, 'terraform.state.mv'],
    [{ line: 'terraform apply -auto-approve', env: { TF_CLI_ARGS_plan: '-destroy' } }, 'terraform.apply'],
    [{ line: 'terraform -destroy apply' }, 'terraform.apply'], // -destroy before the subcommand is not apply's flag
    [{ line: 'terraform show' }, ''],
    [{ line: 'terraform show -json destroy.tfplan' }, ''],
    [{ line: 'terraform output -json' }, ''],
    [{ line: 'terraform state list' }, ''],
    [{ line: 'terraform state show aws_db_instance.main' }, ''],
    [{ line: 'terraform state rm -dry-run aws_db_instance.main' }, ''],
    [{ line: 'terraform validate' }, ''],
    [{ line: 'terraform fmt -recursive' }, ''],
    [{ line: 'terraform version' }, ''],
    [{ line: 'terraform workspace list' }, ''],
    [{ line: 'terraform workspace select prod' }, ''],
    [{ line: 'terraform state -dry-run rm aws_db_instance.main' }, ''],
    [{ line: 'terraform destroy -help' }, ''],
    [{ line: 'terraform destroy -auto-approve --help' }, ''],
    [{ line: 'terraform destroy -h' }, ''],
    [{ line: 'terraform -help destroy' }, ''],
    [{ line: 'terraform -chdir=envs/prod -help destroy' }, ''],
    [{ line: 'terraform destroy', env: { TF_CLI_ARGS_destroy: '-help' } }, ''],
    [{ line: 'terraform -v destroy -auto-approve' }, ''],
    [{ line: 'terraform destroy -version' }, ''],
    [{ line: 'terraform destroy -auto-approve -- -v' }, ''],
    [{ line: 'terraform -version' }, ''],
    [{ line: 'terraform' }, ''],
  ], ({ line, env }) => rulesOf(line, env));
});

describe('terraform keeps -help after -- as an argument', () => {
  table<Line, string>(label, [[{ line: 'terraform destroy -- -help' }, 'terraform.destroy']], ({ line, env }) => rulesOf(line, env));
});

// A HOME with terraform working directories in it: a repository with envs/prod, envs/dev and a
// workspace file, and a directory outside any repository.
const home = join(emptyHome, 'terraform-home');
const repo = join(home, 'code', 'infra');
const prod = join(repo, 'envs', 'prod');
const dev = join(repo, 'envs', 'dev');
const shared = join(repo, 'shared');
const loose = join(home, 'scratch', 'network');

beforeAll(() => {
  for (const dir of [join(repo, '.git'), prod, dev, join(shared, '.terraform'), join(shared, 'data'), loose]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(shared, '.terraform', 'environment'), 'production');
  writeFileSync(join(shared, 'data', 'environment'), 'staging\n');
});

interface Case {
  line: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
}
const where = (c: Case) => `${label(c)} (in ${c.cwd.replace(home, '~')})`;
/** "<name> <class> <source:key of each piece of evidence>" */
const target = async ({ line, cwd, env = {} }: Case) => {
  const t = (await evaluateLine(line, { HOME: home, ...env }, cwd)).target!;
  return `${t.name ?? '-'} ${t.class} ${t.evidence.map((e) => `${e.source}:${e.key}`).join(' ')}`;
};

describe('terraform target', () => {
  table(where, [
    [{ line: 'terraform destroy', cwd: prod }, 'prod production default:workspace default:working directory'],
    [{ line: 'terraform destroy', cwd: dev }, 'dev development default:workspace default:working directory'],
    [{ line: 'terraform destroy', cwd: loose }, 'network unknown default:workspace default:working directory'],
    [{ line: 'terraform -chdir=envs/prod destroy', cwd: repo }, 'prod production default:workspace flag:-chdir'],
    [{ line: 'terraform -chdir=../prod destroy', cwd: dev }, 'prod production default:workspace flag:-chdir'],
    [{ line: 'terraform -chdir=../dev -chdir=../prod destroy', cwd: dev }, 'prod production default:workspace flag:-chdir'],
    [{ line: 'terraform destroy -chdir=../prod', cwd: dev }, 'dev development default:workspace default:working directory'],
    [{ line: 'terraform --chdir=../prod destroy', cwd: dev }, 'dev development default:workspace default:working directory'],
    [{ line: 'terraform destroy', cwd: dev, env: { TF_WORKSPACE: 'prod-eu' } }, 'prod-eu production env:TF_WORKSPACE default:working directory'],
    [{ line: 'terraform destroy', cwd: prod, env: { TF_WORKSPACE: 'dev' } }, 'dev production env:TF_WORKSPACE default:working directory'],
    [{ line: 'terraform destroy', cwd: shared }, 'production production file:workspace default:working directory'],
    [{ line: 'terraform -chdir=shared destroy', cwd: repo }, 'production production file:workspace flag:-chdir'],
    [{ line: 'terraform destroy', cwd: shared, env: { TF_DATA_DIR: 'data' } }, 'staging staging file:workspace default:working directory'],
    [{ line: 'terraform destroy -var-file=prod.tfvars', cwd: loose }, 'network production default:workspace default:working directory flag:-var-file'],
    [{ line: 'terraform destroy -var-file dev.tfvars', cwd: loose }, 'network development default:workspace default:working directory flag:-var-file'],
    [{ line: 'terraform apply', cwd: dev, env: { TF_CLI_ARGS_apply: '-destroy -var-file=prod.tfvars' } }, 'dev production default:workspace default:working directory flag:-var-file env:TF_CLI_ARGS_apply'],
    [{ line: 'terraform workspace delete prod', cwd: dev, env: { TF_WORKSPACE: 'dev' } }, 'prod production argument:workspace delete default:working directory'],
    [{ line: 'terraform workspace delete feature-x', cwd: loose }, 'feature-x unknown argument:workspace delete default:working directory'],
    [{ line: 'terraform state rm aws_db_instance.main', cwd: prod }, 'prod production default:workspace default:working directory'],
  ], target);
});

describe('terraform evidence values', () => {
  const values = async (c: Case) => (await evaluateLine(c.line, { HOME: home, ...c.env }, c.cwd)).target!.evidence.map((e) => `${e.key}=${e.value}${e.file ? ` @${e.file}` : ''}`);
  table(where, [
    [{ line: 'terraform destroy', cwd: prod }, ['workspace=default (no TF_WORKSPACE, no ~/code/infra/envs/prod/.terraform/environment)', 'working directory=~/code/infra/envs/prod, read as infra/envs/prod']],
    [{ line: 'terraform -chdir=shared destroy', cwd: repo }, ['workspace=production @~/code/infra/shared/.terraform/environment', '-chdir=shared (working directory ~/code/infra/shared, read as infra/shared)']],
    [{ line: 'terraform destroy', cwd: loose }, ['workspace=default (no TF_WORKSPACE, no ~/scratch/network/.terraform/environment)', 'working directory=~/scratch/network, read as scratch/network']],
    [
      { line: 'terraform apply', cwd: dev, env: { TF_CLI_ARGS: '-destroy -var db_password=hunter2 -var=token=abc' } },
      ['workspace=default (no TF_WORKSPACE, no ~/code/infra/envs/dev/.terraform/environment)', 'working directory=~/code/infra/envs/dev, read as infra/envs/dev', 'TF_CLI_ARGS=-destroy -var *** -var=*** (inserted after the command)'],
    ],
  ], values);
});
