// The kinds of thing that can name a target. A user's config may map any of them to a class
// (`targets: {aws-account: {"111122223333": production}}`). Those read by token are also classified by
// the words in them (`prod-eu` is production); the rest are opaque ids, unknown until mapped.
// A `raiseOnly` kind is a detail a command can choose freely (a namespace): it may make the target
// stricter, never looser than the rest of the evidence says, so `-n dev` cannot launder a delete.

export const identifierKinds = {
  name: { byToken: true, what: 'an environment, database or service name' },
  host: { byToken: true, what: 'a host name or address (local hosts are development)' },
  'railway-environment': { byToken: false, what: 'a Railway environment id' },
  'railway-environment-name': { byToken: true, raiseOnly: true, what: 'RAILWAY_ENVIRONMENT_NAME, a label Railway sets in what it runs and its CLI never reads' },
  'railway-token': { byToken: false, what: "a Railway token's fingerprint" },
  'railway-project': { byToken: false, what: 'a Railway project id' },
  'railway-service': { byToken: false, what: 'a Railway service id' },
  'railway-volume': { byToken: false, what: 'a Railway volume id' },
  'aws-profile': { byToken: true, what: 'an AWS CLI profile name' },
  'aws-account': { byToken: false, what: 'a 12-digit AWS account id' },
  'aws-access-key': { byToken: false, what: 'an AWS access key id' },
  'kube-context': { byToken: true, what: 'a kubeconfig context name' },
  'kube-cluster': { byToken: true, what: 'a kubeconfig cluster name or server' },
  'kube-namespace': { byToken: true, raiseOnly: true, what: 'a Kubernetes namespace' },
  'terraform-workspace': { byToken: true, what: 'a Terraform/OpenTofu workspace' },
  path: { byToken: true, what: 'a working directory or file path (envs/prod)' },
  'gcp-project': { byToken: true, what: 'a Google Cloud project id' },
  'gcp-configuration': { byToken: true, what: 'a gcloud configuration name' },
  'heroku-app': { byToken: true, what: 'a Heroku app name' },
  'fly-app': { byToken: true, what: 'a Fly.io app name' },
  'supabase-project': { byToken: false, what: 'a Supabase project ref' },
  'vercel-project': { byToken: true, what: 'a Vercel project name' },
  'vercel-project-id': { byToken: false, what: 'a Vercel project id (prj_…)' },
  'vercel-team': { byToken: false, what: 'a Vercel team or org id' },
  'digitalocean-context': { byToken: true, what: 'a doctl auth context' },
  'docker-context': { byToken: true, what: 'a Docker context name' },
  'github-repo': { byToken: false, what: 'a GitHub OWNER/REPO' },
  'git-branch': { byToken: false, what: 'a git branch (protected branches count as production)' },
  // One of several things a command reaches at once (terragrunt --all's units, cdk --all's stacks): one
  // that names production makes the whole command production, but a development one cannot vouch for
  // the others, which may name nothing.
  part: { byToken: true, raiseOnly: true, what: 'one of the units or stacks a command reaches at once' },
  // platform CLIs (az, wrangler, firebase, neonctl, pscale, turso, netlify)
  'azure-subscription': { byToken: true, what: 'an Azure subscription name' },
  'azure-subscription-id': { byToken: false, what: 'an Azure subscription id (a GUID)' },
  'cloudflare-account': { byToken: false, what: 'a Cloudflare account id' },
  'wrangler-environment': { byToken: true, raiseOnly: true, what: 'a wrangler --env (it picks a config block; what the command names decides)' },
  'neon-project': { byToken: false, what: 'a Neon project id (random words: never read by token)' },
  'netlify-site-id': { byToken: false, what: 'a Netlify site id (a UUID)' },
} as const;

export type IdentifierKind = keyof typeof identifierKinds;

export function isRaiseOnly(kind: IdentifierKind): boolean {
  return 'raiseOnly' in identifierKinds[kind];
}

export const identifierKindNames = Object.keys(identifierKinds) as IdentifierKind[];
