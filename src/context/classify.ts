// From what a resolver found to a class of environment. Names are read by token, so `product-api` is
// not prod; ids are classified only when the user's config maps them; local hosts are development.
// When the evidence disagrees, the strictest class wins. No evidence at all is unknown, which the policy
// treats like production: the incident began with "I assumed staging".

import type { EnvironmentClass, Identifier, ResolvedTarget, Target } from '../model.js';
import type { Config } from '../rules/config.js';
import { namedClasses } from '../rules/schema.js';
import { identifierKinds, isRaiseOnly } from './identifiers.js';
import picomatch from 'picomatch';

const strictness: Record<EnvironmentClass, number> = { development: 0, staging: 1, unknown: 2, production: 3 };

export function stricter(a: EnvironmentClass, b: EnvironmentClass): EnvironmentClass {
  return strictness[a] >= strictness[b] ? a : b;
}

export function isAsStrict(a: EnvironmentClass, b: EnvironmentClass): boolean {
  return strictness[a] >= strictness[b];
}

/** `db-prod01.eu` → db, prod, 01, eu; `myProdDB` → my, prod, db. */
export function tokensOf(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Za-z])([0-9])/g, '$1 $2')
    .replace(/([0-9])([A-Za-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * The class a name's tokens give it, with the word that decided. A configured word made only of letters
 * and digits matches a token; any other word (`kind-*`, `docker-desktop`) matches the whole name as a
 * glob.
 */
export function classifyName(name: string, names: Config['names']): { class: EnvironmentClass; word: string } | undefined {
  const tokens = new Set(tokensOf(name));
  const lower = name.toLowerCase();
  let found: { class: EnvironmentClass; word: string } | undefined;
  for (const cls of namedClasses) {
    for (const word of names[cls]) {
      const hit = /^[a-z0-9]+$/i.test(word) ? tokens.has(word.toLowerCase()) : globMatcher(word)(lower);
      if (hit && (!found || strictness[cls] > strictness[found.class])) found = { class: cls, word };
    }
  }
  return found;
}

/**
 * A configured glob (`release-?`, `release-[0-9]*`, `kind-*`, `{main,master}`) as a test. picomatch
 * reads the glob; `bash: true` lets one `*` span `/` (`release/*` covers `release/a/b`), because for a
 * guard a pattern that matches too much is the safe mistake. Case is ignored for the same reason.
 */
export function globMatcher(glob: string): (value: string) => boolean {
  let matcher = compiled.get(glob);
  if (!matcher) compiled.set(glob, (matcher = picomatch(glob, { bash: true, nocase: true, dot: true })));
  return matcher;
}

/** Compiled once per process: the same few words are tested against every name. */
const compiled = new Map<string, (value: string) => boolean>();

export function isLocalHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return (
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    /^127(\.\d{1,3}){3}$/.test(h) ||
    h === '::1' ||
    h === '0:0:0:0:0:0:0:1' ||
    h.startsWith('/') || // a Unix-domain socket directory
    h.startsWith('@') // an abstract socket
  );
}

function classifyIdentifier(id: Identifier, config: Config): { class: EnvironmentClass; because: string; mapped?: true } | undefined {
  const mapped = config.targets[id.kind]?.[id.value];
  if (mapped) return { class: mapped, because: `${id.kind} "${id.value}" is mapped to ${mapped} in your config`, mapped: true };
  if (id.kind === 'git-branch') {
    const rule = config.protectedBranches.find((glob) => globMatcher(glob)(id.value));
    return rule
      ? { class: 'production', because: `branch "${id.value}" is protected ("${rule}" in protected-branches)` }
      : { class: 'development', because: `branch "${id.value}" is not a protected branch` };
  }
  if (id.kind === 'host' && isLocalHost(id.value)) {
    const named = classifyName(id.value, config.names);
    if (named) return { class: named.class, because: `host "${id.value}" contains "${named.word}"` };
    return { class: 'development', because: `host "${id.value}" is this machine` };
  }
  if (identifierKinds[id.kind].byToken) {
    const named = classifyName(id.value, config.names);
    if (named) return { class: named.class, because: `"${id.value}" contains "${named.word}"` };
  }
  return undefined; // ids and tokens mean nothing until the user's config maps them
}

export function classifyTarget(resolved: ResolvedTarget, config: Config): Target {
  const base = { name: resolved.name, evidence: resolved.evidence };
  if (resolved.forcedClass) return { ...base, class: resolved.forcedClass, because: resolved.forcedReason ?? '' };
  let best: { class: EnvironmentClass; because: string; mapped?: true } | undefined;
  for (const id of resolved.identifiers.filter((i) => !isRaiseOnly(i.kind))) {
    const found = classifyIdentifier(id, config);
    if (found && (!best || strictness[found.class] > strictness[best.class])) best = found;
  }
  // Details a command chooses freely may only make the target stricter than unknown-or-better says.
  for (const id of resolved.identifiers.filter((i) => isRaiseOnly(i.kind))) {
    const found = classifyIdentifier(id, config);
    if (found && strictness[found.class] > strictness[best?.class ?? 'unknown']) best = found;
  }
  if (!best) {
    // Unknown counts as production, so a name that says less (a label nothing vouches for) is not what
    // a human types to confirm it.
    const named = resolved.name === undefined ? undefined : classifyName(resolved.name, config.names);
    const name = named && named.class !== 'production' ? undefined : resolved.name;
    return { ...base, name, class: 'unknown', because: 'nothing names a known environment; unknown counts as production' };
  }
  const target: Target = { ...base, class: best.class, because: best.because };
  return best.mapped ? withoutClaimedName(target, config) : target;
}

/**
 * A name is what a human types to confirm, so it must not contradict what your config says about an
 * id: RAILWAY_ENVIRONMENT_NAME=dev beside an environment id you mapped to production is a claim
 * (Railway itself never reads that variable), and typing "dev" to delete production would teach the
 * wrong thing. The stricter class stands and the name is dropped: the human types the class instead.
 */
function withoutClaimedName(target: Target, config: Config): Target {
  if (target.name === undefined) return target;
  const named = classifyName(target.name, config.names);
  if (!named || named.class === target.class || !isAsStrict(target.class, named.class)) return target;
  return { ...target, name: undefined, because: `${target.because}; the name "${target.name}" says ${named.class}, and the stricter class stands` };
}
