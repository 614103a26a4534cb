// Netlify CLI `netlify` / `ntl` (netlify/cli, commander).
//
// Grammar: commander. Commands are one word with colons (`sites:delete`); the space-separated form
// (`sites delete`) is spelled in the rules too. Options stand anywhere after the command. `--help`/`-h`,
// `help` and `--version` are never gated.
//
// Gated: `sites:delete SITE` (the site and every deploy), `env:unset KEY` (also `env:delete`,
// `env:remove`; its value is gone), `blobs:delete STORE KEY`, and `api delete…` (any API method whose
// name starts with delete); `env:set` and `env:clone` overwrite values (disrupt), `env:import
// --replace-existing` replaces them all. `deploy --prod` is not gated: it publishes a new deploy, and
// the previous one stays a click away. `dev:exec CMD …` runs CMD here: judged as a command of its own.
//
// Target:
//   1. the site: --site, else NETLIFY_SITE_ID, else `siteId` of .netlify/state.json in the nearest
//      directory at or above the working directory (or --cwd) that has one; `sites:delete` names it.
//      A site id is a UUID: unknown until your config maps it (`targets: {netlify-site-id: {…}}`); a
//      site name given to --site is read by token;
//   2. for env:unset, env:set and env:import, the deploy context: --context (production, deploy-preview,
//      branch-deploy, dev, branch:NAME); without one every context is changed, production included;
//   3. env:clone overwrites the variables of the site named by --to.

import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence, Identifier, Invocation, NestedLine, ParsedInvocation, ResolvedTarget } from '../model.js';
import { ancestors, displayPath, readTextIfExists } from '../context/files.js';
import { grammar, readArgs } from './argv.js';
import type { Tool } from './tool.js';

const netlifyGrammar = grammar({
  values: [
    ['--site'],
    ['--auth'],
    ['--cwd'],
    ['--filter'],
    ['--context'],
    ['--scope'],
    ['--data'],
    ['--dir', '-d'],
    ['--functions', '-f'],
    ['--message', '-m'],
    ['--alias'],
    ['--to'],
    ['--from'],
  ],
  booleans: [
    ['--help', '-h'],
    ['--version', '-V'],
    ['--force'],
    ['--json'],
    ['--debug'],
    ['--prod'],
    ['--prod-if-unlocked'],
    ['--list'],
    ['--replace-existing'],
  ],
  unknownLong: 'boolean',
});

function parse(invocation: Invocation): ParsedInvocation {
  const exec = devExec(invocation.args);
  // What stands from dev:exec's CMD on is CMD's: its -h is not netlify's --help.
  const own = exec ? invocation.args.slice(0, exec.at) : invocation.args;
  const { words, flags } = readArgs(own, netlifyGrammar);
  const help = flags.has('--help') || flags.has('--version') || words[0] === 'help';
  return { commands: [{ path: words, flags }], help, ...(exec ? { nested: [exec.nested] } : {}) };
}

/**
 * `netlify dev:exec CMD ARGS…` runs CMD here with the site's environment: judged as a command of its own.
 * Netlify's own options may stand before CMD; everything from CMD on is CMD's.
 */
function devExec(args: readonly string[]): { nested: NestedLine; at: number } | undefined {
  const at = args.findIndex((arg) => arg === 'dev:exec');
  if (at === -1 || args.slice(0, at).some((arg) => !arg.startsWith('-'))) return undefined;
  let i = at + 1;
  while (i < args.length && args[i].startsWith('-')) i += args[i] !== '--' && netlifyGrammar.values.has(args[i]) ? 2 : 1;
  const argv = args.slice(i);
  return argv.length > 0 ? { nested: { via: 'netlify dev:exec', argv, where: 'local' }, at: i } : undefined;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { path, flags } = parsed.commands[0];
  const env = invocation.env;
  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];
  const command = path[0] === 'sites' || path[0] === 'env' || path[0] === 'blobs' ? `${path[0]}:${path[1]}` : path[0];
  let name: string | undefined;

  const site = (value: string, from: Evidence) => {
    evidence.push(from);
    identifiers.push(uuid.test(value) ? { kind: 'netlify-site-id', value: value.toLowerCase() } : { kind: 'name', value });
    if (!uuid.test(value)) name ??= value;
  };

  // sites:delete names the site it deletes; env:clone --to names the site whose variables it overwrites.
  const deleted = command === 'sites:delete' ? path[path[0] === 'sites' ? 2 : 1] : command === 'env:clone' ? flags.get('--to')?.at(-1) : undefined;
  const flag = flags.get('--site')?.at(-1);
  if (deleted) {
    site(deleted, command === 'env:clone' ? { source: 'flag', key: '--to', value: deleted } : { source: 'argument', key: 'netlify sites:delete', value: deleted });
  } else if (flag) {
    site(flag, { source: 'flag', key: '--site', value: flag });
  } else if (env.NETLIFY_SITE_ID) {
    site(env.NETLIFY_SITE_ID, { source: 'env', key: 'NETLIFY_SITE_ID', value: env.NETLIFY_SITE_ID });
  } else {
    const cwdFlag = flags.get('--cwd')?.at(-1);
    const linked = linkedSite(cwdFlag ? resolvePath(invocation.cwd, cwdFlag) : invocation.cwd, env);
    if (linked.id) site(linked.id, linked.evidence);
    else evidence.push(linked.evidence);
  }

  if (['env:unset', 'env:delete', 'env:remove', 'env:set', 'env:import'].includes(command)) {
    const contexts = flags.get('--context') ?? [];
    if (contexts.length === 0) {
      evidence.push({ source: 'default', key: '--context', value: 'none: every deploy context is changed, production included' });
      identifiers.push({ kind: 'name', value: 'production' });
      name = 'production';
    }
    for (const context of contexts.flatMap((c) => c.split(/[\s,]+/)).filter(Boolean)) {
      evidence.push({ source: 'flag', key: '--context', value: context });
      // branch:NAME is a branch deploy; deploy-preview is a preview: both read by token.
      identifiers.push({ kind: 'name', value: context.replace(/^branch:/, '') });
      name = context;
    }
  }
  return { name, evidence, identifiers };
}

/** The site a directory is linked to: `siteId` in the nearest .netlify/state.json. */
function linkedSite(dir: string, env: NodeJS.ProcessEnv): { id?: string; evidence: Evidence } {
  for (const root of ancestors(dir)) {
    const file = join(root, '.netlify', 'state.json');
    const shown = displayPath(file, env);
    let text: string | undefined;
    try {
      text = readTextIfExists(file);
    } catch (error) {
      return { evidence: { source: 'file', key: 'siteId', value: `unreadable (${(error as Error).message})`, file: shown } };
    }
    if (text === undefined) continue;
    try {
      const id = (JSON.parse(text) as { siteId?: unknown } | null)?.siteId;
      if (typeof id === 'string' && id !== '') return { id, evidence: { source: 'file', key: 'siteId', value: id, file: shown } };
      return { evidence: { source: 'file', key: 'siteId', value: 'no site linked', file: shown } };
    } catch (error) {
      return { evidence: { source: 'file', key: 'siteId', value: `unreadable (${(error as Error).message}); fix the file or pass --site`, file: shown } };
    }
  }
  return { evidence: { source: 'default', key: 'site', value: `no --site, no NETLIFY_SITE_ID and no .netlify/state.json at or above ${displayPath(dir, env)}` } };
}

export const netlify: Tool = { name: 'netlify', parse, resolve };
