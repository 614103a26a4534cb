// Hosts known to be the APIs of platforms that hold production: a request to one is named after the
// platform, a body sent to one must be readable, and where the URL names an app or project, that name
// is an identifier the user's config (or its words) can classify. Data, one line per platform.

import type { IdentifierKind } from '../context/identifiers.js';

export interface Platform {
  /** What a human calls it. */
  name: string;
  /** Exact host names, or `*.suffix` for every host under a domain. */
  hosts: string[];
  /** Ids the URL's path names (first capture group). */
  paths?: [RegExp, IdentifierKind][];
  /** An id the host name itself carries (first capture group). */
  host?: [RegExp, IdentifierKind];
  /** GraphQL arguments, at any depth, that name a target of this kind. */
  graphqlArguments?: Record<string, IdentifierKind>;
  /** Mutations whose `id` argument names a target of this kind (Railway's environmentDelete(id)). */
  graphqlIds?: [RegExp, IdentifierKind];
  /** The kind a fingerprint of the token a request sends is (a token can be scoped to one environment). */
  tokens?: IdentifierKind;
  /** Whether every request to it is GraphQL, whatever its path. */
  graphql?: boolean;
  /**
   * Mutations that reach every environment whatever environment the request names, with why: the
   * target is then production (Railway's volumeDelete takes only the volume's id).
   */
  everyEnvironment?: Record<string, string>;
}

export const platforms: Platform[] = [
  {
    name: 'Railway API',
    hosts: ['backboard.railway.com', 'backboard.railway.app', 'backboard.railway-staging.com', 'backboard.railway-develop.com'],
    graphqlArguments: { environmentId: 'railway-environment' },
    graphqlIds: [/^environment[A-Z]/, 'railway-environment'],
    tokens: 'railway-token',
    graphql: true,
    everyEnvironment: {
      volumeDelete: 'volumeDelete takes only the volume id: a volume belongs to the project, and is deleted in every environment it has an instance in, production included',
      serviceDelete: 'serviceDelete keeps to the environment it is given only when that environment is a fork, else it deletes the service in every environment, production included',
    },
  },
  { name: 'Heroku Platform API', hosts: ['api.heroku.com'], paths: [[/^\/apps\/([^/]+)/, 'heroku-app']] },
  { name: 'Fly.io GraphQL API', hosts: ['api.fly.io'], graphqlArguments: { appId: 'fly-app', appName: 'fly-app' } },
  { name: 'Fly Machines API', hosts: ['api.machines.dev'], paths: [[/^\/v1\/apps\/([^/]+)/, 'fly-app']] },
  { name: 'Vercel API', hosts: ['api.vercel.com'], paths: [[/^\/v\d+\/projects\/([^/]+)/, 'vercel-project']] },
  { name: 'Supabase Management API', hosts: ['api.supabase.com'], paths: [[/^\/v1\/projects\/([^/]+)/, 'supabase-project']] },
  { name: 'Supabase project API', hosts: ['*.supabase.co'], host: [/^([a-z0-9]+)\.supabase\.co$/, 'supabase-project'] },
  { name: 'DigitalOcean API', hosts: ['api.digitalocean.com'] },
  { name: 'GitHub API', hosts: ['api.github.com'], paths: [[/^\/repos\/([^/]+\/[^/]+)/, 'github-repo']] },
  { name: 'Cloudflare API', hosts: ['api.cloudflare.com'] },
  { name: 'Netlify API', hosts: ['api.netlify.com'] },
  { name: 'Render API', hosts: ['api.render.com'] },
  { name: 'Neon API', hosts: ['console.neon.tech'] },
  { name: 'PlanetScale API', hosts: ['api.planetscale.com'] },
  { name: 'MongoDB Atlas Admin API', hosts: ['cloud.mongodb.com'] },
  { name: 'Linode API', hosts: ['api.linode.com'] },
  { name: 'Hetzner Cloud API', hosts: ['api.hetzner.cloud'] },
  { name: 'Vultr API', hosts: ['api.vultr.com'] },
  { name: 'Google Cloud API', hosts: ['*.googleapis.com'] },
  { name: 'Azure Resource Manager', hosts: ['management.azure.com'] },
  { name: 'AWS API', hosts: ['*.amazonaws.com'] },
  { name: 'Stripe API', hosts: ['api.stripe.com'] },
];

export function platformOf(host: string): Platform | undefined {
  const h = host.toLowerCase().replace(/\.$/, '');
  return platforms.find((p) => p.hosts.some((pattern) => (pattern.startsWith('*.') ? h.endsWith(pattern.slice(1)) : h === pattern)));
}
