// Every tool chaperone wraps: the name rules use, the executables a shim is installed under, and how
// to load its grammar. A shim loads only the one tool it stands for, so start-up does not grow with
// the list.

import type { Tool } from './tool.js';

interface ToolEntry {
  name: string;
  executables: string[];
  load: () => Promise<Tool>;
}

const registry: ToolEntry[] = [
  { name: 'railway', executables: ['railway'], load: async () => (await import('./railway.js')).railway },
  { name: 'psql', executables: ['psql'], load: async () => (await import('./psql.js')).psql },
  { name: 'dropdb', executables: ['dropdb'], load: async () => (await import('./dropdb.js')).dropdb },
  { name: 'pg_restore', executables: ['pg_restore'], load: async () => (await import('./pg-restore.js')).pgRestore },
  // Migration and ORM tools, usually run through a package runner (src/shell/runners.ts, app-runners.ts).
  { name: 'prisma', executables: ['prisma'], load: async () => (await import('./prisma.js')).prisma },
  { name: 'drizzle-kit', executables: ['drizzle-kit'], load: async () => (await import('./drizzle-kit.js')).drizzleKit },
  { name: 'rails', executables: ['rails', 'rake'], load: async () => (await import('./rails.js')).rails },
  { name: 'django', executables: ['django-admin'], load: async () => (await import('./django.js')).django },
  { name: 'alembic', executables: ['alembic'], load: async () => (await import('./alembic.js')).alembic },
  { name: 'knex', executables: ['knex'], load: async () => (await import('./knex.js')).knex },
  { name: 'sequelize', executables: ['sequelize', 'sequelize-cli'], load: async () => (await import('./sequelize.js')).sequelize },
  { name: 'typeorm', executables: ['typeorm', 'typeorm-ts-node-commonjs', 'typeorm-ts-node-esm'], load: async () => (await import('./typeorm.js')).typeorm },
  { name: 'aws', executables: ['aws'], load: async () => (await import('./aws.js')).aws },
  { name: 'kubectl', executables: ['kubectl'], load: async () => (await import('./kubectl.js')).kubectl },
  { name: 'helm', executables: ['helm'], load: async () => (await import('./helm.js')).helm },
  { name: 'terraform', executables: ['terraform', 'tofu'], load: async () => (await import('./terraform.js')).terraform },
  { name: 'gcloud', executables: ['gcloud'], load: async () => (await import('./gcloud.js')).gcloud },
  { name: 'gsutil', executables: ['gsutil'], load: async () => (await import('./gsutil.js')).gsutil },
  { name: 'heroku', executables: ['heroku'], load: async () => (await import('./heroku.js')).heroku },
  { name: 'fly', executables: ['fly', 'flyctl'], load: async () => (await import('./fly.js')).fly },
  { name: 'supabase', executables: ['supabase'], load: async () => (await import('./supabase.js')).supabase },
  { name: 'vercel', executables: ['vercel', 'vc'], load: async () => (await import('./vercel.js')).vercel },
  { name: 'doctl', executables: ['doctl'], load: async () => (await import('./doctl.js')).doctl },
  { name: 'docker', executables: ['docker', 'docker-compose'], load: async () => (await import('./docker.js')).docker },
  { name: 'gh', executables: ['gh'], load: async () => (await import('./gh.js')).gh },
  { name: 'git', executables: ['git'], load: async () => (await import('./git.js')).git },
  { name: 'mysql', executables: ['mysql', 'mariadb'], load: async () => (await import('./mysql.js')).mysql },
  { name: 'mongosh', executables: ['mongosh', 'mongo'], load: async () => (await import('./mongosh.js')).mongosh },
  { name: 'redis-cli', executables: ['redis-cli'], load: async () => (await import('./redis-cli.js')).redisCli },
  { name: 'curl', executables: ['curl'], load: async () => (await import('./curl.js')).curl },
  { name: 'wget', executables: ['wget'], load: async () => (await import('./wget.js')).wget },
  { name: 'httpie', executables: ['http', 'https'], load: async () => (await import('./httpie.js')).httpie },
  { name: 'xh', executables: ['xh', 'xhs'], load: async () => (await import('./xh.js')).xh },
  { name: 'velero', executables: ['velero'], load: async () => (await import('./velero.js')).velero },
  { name: 'ssh', executables: ['ssh'], load: async () => (await import('./ssh.js')).ssh },
  // Infrastructure-as-code and deploy tools, and the database admin clients beside mysql and mongosh.
  { name: 'pulumi', executables: ['pulumi'], load: async () => (await import('./pulumi.js')).pulumi },
  { name: 'terragrunt', executables: ['terragrunt'], load: async () => (await import('./terragrunt.js')).terragrunt },
  { name: 'cdk', executables: ['cdk'], load: async () => (await import('./cdk.js')).cdk },
  { name: 'sst', executables: ['sst'], load: async () => (await import('./sst.js')).sst },
  { name: 'serverless', executables: ['serverless', 'sls'], load: async () => (await import('./serverless.js')).serverless },
  { name: 'mongorestore', executables: ['mongorestore'], load: async () => (await import('./mongorestore.js')).mongorestore },
  { name: 'mysqladmin', executables: ['mysqladmin', 'mariadb-admin'], load: async () => (await import('./mysqladmin.js')).mysqladmin },
  // platform CLIs
  { name: 'az', executables: ['az'], load: async () => (await import('./az.js')).az },
  { name: 'wrangler', executables: ['wrangler'], load: async () => (await import('./wrangler.js')).wrangler },
  { name: 'firebase', executables: ['firebase'], load: async () => (await import('./firebase.js')).firebase },
  { name: 'neonctl', executables: ['neonctl', 'neon'], load: async () => (await import('./neonctl.js')).neonctl },
  { name: 'pscale', executables: ['pscale'], load: async () => (await import('./pscale.js')).pscale },
  { name: 'turso', executables: ['turso'], load: async () => (await import('./turso.js')).turso },
  { name: 'netlify', executables: ['netlify', 'ntl'], load: async () => (await import('./netlify.js')).netlify },
];

/** The names rules may use in `tool:`. */
export const toolNames: string[] = registry.map((t) => t.name);

/** Executable names, in install order. */
export const executables: string[] = registry.flatMap((t) => t.executables);

export function isCovered(executable: string): boolean {
  return registry.some((t) => t.executables.includes(executable));
}

/** The tool (its rules' name) an executable belongs to: `mariadb` → mysql. */
export function toolOf(executable: string): string | undefined {
  return registry.find((t) => t.executables.includes(executable))?.name;
}

export async function loadTool(executable: string): Promise<Tool | undefined> {
  return registry.find((t) => t.executables.includes(executable))?.load();
}
