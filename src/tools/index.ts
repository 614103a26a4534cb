// Every tool chaperone wraps, by the executable name a shim is installed under.

import { aws } from './aws.js';
import { curl } from './curl.js';
import { docker } from './docker.js';
import { doctl } from './doctl.js';
import { dropdb } from './dropdb.js';
import { fly } from './fly.js';
import { gcloud } from './gcloud.js';
import { gh } from './gh.js';
import { git } from './git.js';
import { gsutil } from './gsutil.js';
import { helm } from './helm.js';
import { httpie } from './httpie.js';
import { heroku } from './heroku.js';
import { kubectl } from './kubectl.js';
import { mongosh } from './mongosh.js';
import { mysql } from './mysql.js';
import { pgRestore } from './pg-restore.js';
import { psql } from './psql.js';
import { railway } from './railway.js';
import { redisCli } from './redis-cli.js';
import { supabase } from './supabase.js';
import { terraform } from './terraform.js';
import type { Tool } from './tool.js';
import { vercel } from './vercel.js';
import { wget } from './wget.js';
import { xh } from './xh.js';

export const tools: Tool[] = [
  railway,
  psql,
  dropdb,
  pgRestore,
  aws,
  kubectl,
  helm,
  terraform,
  gcloud,
  gsutil,
  heroku,
  fly,
  supabase,
  vercel,
  doctl,
  docker,
  gh,
  git,
  mysql,
  mongosh,
  redisCli,
  curl,
  wget,
  httpie,
  xh,
];

/** The names rules may use in `tool:`. */
export const toolNames: string[] = tools.map((t) => t.name);

/** Executable names, in install order. */
export const executables: string[] = tools.flatMap((t) => t.executables);

export function toolFor(executable: string): Tool | undefined {
  return tools.find((t) => t.executables.includes(executable));
}
