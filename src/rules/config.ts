// The layers of configuration folded into one Config: built-in rules.yaml, then the user's file, then
// the project's. The user may change anything. A project file lives in a repo an agent can edit, so it
// may add rules and tighten, and never loosen what the layers above it gate.

import type { Command, EnvironmentClass, Effect, IdentifierKind, PolicyAction } from '../model.js';
import { isAsStrict } from '../context/classify.js';
import { allClasses, namedClasses, policyActions, type BackupLimits, type Complain, type Layer, type NamedClass, type RuleEntry } from './schema.js';
import type { CompiledRules } from './compiled.js';

export interface FlagCondition {
  flag: string;
  /** When set, the flag must carry exactly this value. */
  value?: string;
  /**
   * `--flag<N`: some value of the flag is a number below N (a retention of 1 day where 7 is the floor).
   * A value that is not a number counts as below: it cannot be shown to keep enough (fail closed).
   */
  below?: number;
}

/** One word of a command pattern: any of these spellings, each possibly a glob (a Set lookup or a RegExp). */
export interface WordPattern {
  test(word: string): boolean;
}

export interface Rule {
  id: string;
  tools: string[];
  /** The command paths as the rule writes them ("volume|volumes delete-*"). */
  command: string[];
  /** The same, compiled on first use (a shim matches one tool's rules only). */
  readonly paths: WordPattern[][];
  with: FlagCondition[];
  without: FlagCondition[];
  effect: Effect;
  summary: string;
  file: string;
}

export interface Config {
  names: Record<NamedClass, string[]>;
  policy: Record<EnvironmentClass, PolicyAction>;
  targets: Partial<Record<IdentifierKind, Record<string, EnvironmentClass>>>;
  /**
   * The rules of the layers read whole, in order. Rules read a tool at a time are not among them: the
   * built-in layer's (`builtin`, before these) and a cached user's or project's (`after`, after these).
   * A call reads its tools' rules with rulesFor, the CLI all of them with allRules.
   */
  rules: Rule[];
  /** The built-in rules, read a tool at a time (src/rules/compiled.ts), and the ids a later layer disabled. */
  builtin?: SourceInForce;
  /** Layers read from the layer cache a tool and a first word at a time (src/rules/load.ts), in order, after `rules`. */
  after?: SourceInForce[];
  /** git branches that count as production; every other branch is development. */
  protectedBranches: string[];
  /** Classes whose confirmed or approved destructive SQL is backed up before it runs (src/backup/). */
  backupBeforeDestroy: EnvironmentClass[];
  backupLimits: BackupLimits;
  /** A syslog destination for copies of the audit records (user config only). */
  auditSyslog?: string;
  /** The files that were read, in order. */
  layers: string[];
}

// 'system' is root's /etc/chaperone/rules.yaml; on a hardened machine the user's own file is
// 'hardened-user', which like a project file may only tighten (the agent runs as that user).
export type Trust = 'builtin' | 'system' | 'user' | 'hardened-user' | 'project';

export function emptyConfig(): Config {
  return {
    names: { production: [], staging: [], development: [] },
    policy: { production: 'confirm-name', staging: 'confirm', development: 'notice', unknown: 'confirm-name' },
    targets: {},
    rules: [],
    protectedBranches: [],
    backupBeforeDestroy: [],
    backupLimits: { maxAgeDays: 30, maxTotalMb: 5120 },
    layers: [],
  };
}

const actionRank = (action: PolicyAction) => policyActions.indexOf(action);

/** Folds one validated layer into the config. `complain` points at the offending line. */
export function applyLayer(config: Config, layer: Layer, trust: Trust, complain: Complain): Config {
  const project = trust === 'project' || trust === 'hardened-user';
  const who = trust === 'project' ? 'a project file' : 'a user file on a hardened machine';
  const next: Config = {
    names: { ...config.names },
    policy: { ...config.policy },
    targets: { ...config.targets },
    rules: [...config.rules],
    builtin: config.builtin && { rules: config.builtin.rules, disabled: [...config.builtin.disabled, ...layer.disable] },
    after: config.after?.map((s) => ({ rules: s.rules, disabled: [...s.disabled, ...layer.disable] })),
    // Adding a protected branch only tightens, so every layer may.
    protectedBranches: [...config.protectedBranches, ...(layer.protectedBranches ?? [])],
    // The user's list replaces the one above it; a project file may only add classes (a backup only tightens).
    backupBeforeDestroy: !layer.backupBeforeDestroy
      ? config.backupBeforeDestroy
      : project
        ? [...new Set([...config.backupBeforeDestroy, ...layer.backupBeforeDestroy])]
        : layer.backupBeforeDestroy,
    backupLimits: { ...config.backupLimits, ...layer.backupLimits },
    auditSyslog: layer.auditSyslog ?? config.auditSyslog,
    layers: [...config.layers, layer.file],
  };

  for (const cls of namedClasses) {
    const added = layer.environments[cls];
    if (!added) continue;
    if (project && cls !== 'production') {
      complain(['environments', cls], `${who} may add production names only; naming something ${cls} would loosen what is gated (put it in your user config instead)`);
    }
    next.names[cls] = [...next.names[cls], ...added];
  }

  for (const cls of allClasses) {
    const action = layer.policy[cls];
    if (!action) continue;
    if (project && actionRank(action) < actionRank(next.policy[cls])) {
      complain(['policy', cls], `${who} may tighten policy, never loosen it: ${cls} is "${next.policy[cls]}" above this file, which asks for "${action}"`);
    }
    next.policy[cls] = action;
  }

  for (const [kind, mapping] of Object.entries(layer.targets) as [IdentifierKind, Record<string, EnvironmentClass>][]) {
    if (project) {
      for (const [value, cls] of Object.entries(mapping)) {
        if (!isAsStrict(cls, 'unknown')) {
          complain(['targets', kind, value], `${who} may map targets to production only; mapping "${value}" to ${cls} would loosen what is gated`);
        }
      }
    }
    next.targets[kind] = { ...next.targets[kind], ...mapping };
  }

  // Limits could shrink what is kept as much as grow it: only the user decides them.
  if (project && layer.backupLimits) complain(['backup-limits'], `${who} may not set backup-limits; put them in your user config`);
  // The records name commands, directories and targets: only the user decides where they are sent.
  if (project && layer.auditSyslog) complain(['audit-syslog'], `${who} may not send the audit log anywhere; put audit-syslog in your user config`);

  if (layer.disable.length > 0) {
    if (project) complain(['disable'], `${who} may not disable rules`);
    const known = new Set(idsInForce(config));
    layer.disable.forEach((id, i) => {
      if (!known.has(id)) complain(['disable', i], `no rule "${id}" to disable`);
    });
    next.rules = next.rules.filter((r) => !layer.disable.includes(r.id));
  }

  const ids = new Set(layer.rules.length > 0 ? idsInForce(next) : []);
  // After a layer read a tool at a time, a layer's rules go after it, so that the order stays that of the layers.
  const into = next.after?.length ? [] : next.rules;
  layer.rules.forEach((entry, i) => {
    if (ids.has(entry.id)) complain(['rules', i, 'id'], `rule id "${entry.id}" is already defined; choose a new id`);
    ids.add(entry.id);
    into.push(new LoadedRule(entry, layer.file));
  });
  if (into !== next.rules && into.length > 0) next.after = [...next.after!, { rules: new ListedRules(into), disabled: [] }];

  return next;
}

/**
 * A layer read from the layer cache: its settings folded as applyLayer folds them, its rules left
 * where they are until a call asks for a tool's (`source`, the cached entry's index). A rule id that
 * is already in force is complained about, as applyLayer would.
 */
export function applyCachedLayer(config: Config, layer: Layer, source: RuleSource, trust: Trust, complain: Complain): Config {
  const next = applyLayer(config, { ...layer, rules: [] }, trust, complain);
  const ids = source.ids();
  if (ids.length === 0) return next;
  const inForce = new Set(idsInForce(next));
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (inForce.has(id) || seen.has(id)) complain(['rules', i, 'id'], `rule id "${id}" is already defined; choose a new id`);
    seen.add(id);
  });
  return { ...next, after: [...(next.after ?? []), { rules: source, disabled: [] }] };
}

/** Rules read a tool at a time: the built-in layer's compiled file, a cached layer. */
export interface RuleSource {
  /** Every rule's id, in order. */
  ids(): string[];
  /**
   * In order, the rules that name `tool`, or some of them: with `words` (the first word of each
   * command a call matches), those whose paths may start with one of them. More is allowed, never less.
   */
  of(tool: string, words?: readonly (string | undefined)[]): Rule[];
  /** Every rule, in order. */
  all(): Rule[];
}

/** A source and the ids later layers disabled in it. */
interface SourceInForce {
  rules: RuleSource;
  disabled: readonly string[];
}

/** Every rule id in force, in order of the layers. */
function idsInForce(config: Config): string[] {
  const ids = (s: SourceInForce | undefined) => {
    if (!s) return [];
    const disabled = new Set(s.disabled);
    return s.rules.ids().filter((id) => !disabled.has(id));
  };
  return [...ids(config.builtin), ...config.rules.map((r) => r.id), ...(config.after ?? []).flatMap(ids)];
}

/**
 * The rules that may name `tool`, in order (matchRules still checks each rule's tools and paths): with
 * rules read a tool at a time, only that tool's, and with `commands`, only those a command's first
 * word may start.
 */
export function rulesFor(config: Config, tool: string, commands?: readonly Command[]): readonly Rule[] {
  if (!config.builtin && !config.after?.length) return config.rules;
  const words = commands?.map((c) => c.path[0]);
  return [
    ...(config.builtin ? inForce(config.builtin, config.builtin.rules.of(tool, words)) : []),
    ...config.rules,
    ...(config.after ?? []).flatMap((s) => inForce(s, s.rules.of(tool, words))),
  ];
}

/** Every rule of every layer, in order (the CLI's: doctor, the fast path's words). */
export function allRules(config: Config): readonly Rule[] {
  if (!config.builtin && !config.after?.length) return config.rules;
  return [...(config.builtin ? inForce(config.builtin, config.builtin.rules.all()) : []), ...config.rules, ...(config.after ?? []).flatMap((s) => inForce(s, s.rules.all()))];
}

function inForce(source: SourceInForce, rules: readonly Rule[]): readonly Rule[] {
  return source.disabled.length === 0 ? rules : rules.filter((r) => !source.disabled.includes(r.id));
}

/** Rules already made, as a source (a layer read whole after one read a tool at a time). */
class ListedRules implements RuleSource {
  constructor(private readonly rules: Rule[]) {}
  ids(): string[] {
    return this.rules.map((r) => r.id);
  }
  of(tool: string): Rule[] {
    return this.rules.filter((r) => r.tools.includes(tool));
  }
  all(): Rule[] {
    return this.rules;
  }
}

/** The built-in layer of a build: its settings folded now, its rules read a tool at a time. */
export function builtinConfig(compiled: CompiledRules, complain: Complain): Config {
  const config = applyLayer(emptyConfig(), { ...compiled.layer, rules: [] }, 'builtin', complain);
  return { ...config, builtin: { rules: new BuiltinRules(compiled), disabled: [] } };
}

/** Built-in rules as rule objects, made once per tool. */
export class BuiltinRules implements RuleSource {
  private readonly byTool = new Map<string, Rule[]>();
  private every: Rule[] | undefined;
  constructor(private readonly compiled: CompiledRules) {}

  ids(): string[] {
    return this.compiled.ids();
  }

  of(tool: string): Rule[] {
    let rules = this.byTool.get(tool);
    if (!rules) this.byTool.set(tool, (rules = this.compiled.entries(tool).map((entry) => new LoadedRule(entry, this.compiled.layer.file))));
    return rules;
  }

  all(): Rule[] {
    return (this.every ??= this.compiled.allEntries().map((entry) => new LoadedRule(entry, this.compiled.layer.file)));
  }
}

/** Makes the rule object for an entry of a layer (a cached layer's rules are made as a call asks for them). */
export function loadedRule(entry: RuleEntry, file: string): Rule {
  return new LoadedRule(entry, file);
}

/**
 * A rule as a layer gives it, its flag conditions and paths read on first use: a call matches the
 * rules of one tool, and builds the few hundred built-in rules (and any user file's) every time. A
 * class, since an object literal with a getter of its own defines that accessor on each object through
 * the runtime, about twice the time of the rest of a rule (measured, 467 rules: 0.59 against 0.32 ms).
 * What it reads later is a plain property, not a `#private` field: defining private fields on each
 * object cost 1,000 rules 0.4-4 ms against 0.15 ms (BENCHMARKS.md). Rules are never serialised, so
 * the plain properties show nowhere.
 */
class LoadedRule implements Rule {
  // Declared only (`declare`): a class field is defined on each new object before the constructor
  // runs, which for a thousand rules took 0.4-1 ms where the constructor's own assignments took 0.15.
  declare readonly id: string;
  declare readonly tools: string[];
  declare readonly command: string[];
  declare readonly effect: Effect;
  declare readonly summary: string;
  declare readonly file: string;
  declare private readonly entry: RuleEntry;
  declare private read: { with?: FlagCondition[]; without?: FlagCondition[]; paths?: WordPattern[][] } | undefined;

  constructor(entry: RuleEntry, file: string) {
    this.id = entry.id;
    this.tools = entry.tools;
    this.command = entry.command;
    this.effect = entry.effect;
    this.summary = entry.summary;
    this.file = file;
    this.entry = entry;
    this.read = undefined;
  }

  get with(): FlagCondition[] {
    return ((this.read ??= {}).with ??= this.entry.with.map(parseFlagCondition));
  }

  get without(): FlagCondition[] {
    return ((this.read ??= {}).without ??= this.entry.without.map(parseFlagCondition));
  }

  get paths(): WordPattern[][] {
    return ((this.read ??= {}).paths ??= this.command.map(compilePath));
  }
}

/**
 * Whether a command path written as `text` could start with `word`, from its first word alone and
 * without compiling it: false only when that first word is a plain list of words (no glob) and `word`
 * is none of them. The matcher asks this before compiling a rule's paths: a call's first word turns
 * down most rules of its tool, and a user's file of a thousand rules of one tool was compiled whole at
 * every call of it (2.5 ms; BENCHMARKS.md). test/unit/rule-match.test.ts checks it never says false
 * where the compiled path matches.
 */
export function mayStartWith(text: string, word: string | undefined): boolean {
  // The first word, found as compilePath splits: on /\s+/ after trimming. The searches stay in the
  // RegExp engine: the same scan by character code, a thousand rules of it, was hot enough that V8
  // compiled it with TurboFan, ~4.6 ms of CPU (BENCHMARKS.md). One pair of RegExp objects serves
  // every call (a literal here made two new objects per rule and call).
  nonSpace.lastIndex = 0;
  if (!nonSpace.test(text)) return true; // no words: the path matches any call
  const start = nonSpace.lastIndex - 1;
  space.lastIndex = start;
  const end = space.test(text) ? space.lastIndex - 1 : text.length;
  if (word === undefined) return false; // a word to match, and none to match it
  if (text.lastIndexOf('*', end - 1) >= start) return true; // a glob: compiled and tested
  for (let from = start; from <= end; ) {
    const bar = text.indexOf('|', from);
    const to = bar === -1 || bar > end ? end : bar;
    if (to - from === word.length && text.startsWith(word, from)) return true;
    from = to + 1;
  }
  return false;
}

const space = /\s/g;
const nonSpace = /\S/g;

/**
 * "volume|volumes delete-*" → a set test for volume|volumes, /^(?:delete-.*)$/ for the glob. Most
 * words are literal, and a Set lookup costs nothing to build, where each RegExp is compiled on its
 * first test: with a user's file of a thousand rules that compiling was most of a call's matching.
 */
export function compilePath(text: string): WordPattern[] {
  return text
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((word): WordPattern => {
      if (!word.includes('*')) {
        // Built on the first test: a rule is mostly turned down on its first word, and a user's file
        // of a thousand rules of one tool has all of them tested at every call of that tool.
        let words: Set<string> | undefined;
        return { test: (candidate) => (words ??= new Set(word.split('|'))).has(candidate) };
      }
      const alternatives = word.split('|').map((alt) =>
        alt
          .split('*')
          .map((part) => part.replace(/[.+?^${}()[\]\\]/g, '\\$&'))
          .join('.*'),
      );
      return new RegExp(`^(?:${alternatives.join('|')})$`);
    });
}

function parseFlagCondition(text: string): FlagCondition {
  const below = /^([^=<]+)<(\d+)$/.exec(text);
  if (below) return { flag: below[1], below: Number(below[2]) };
  const eq = text.indexOf('=');
  return eq === -1 ? { flag: text } : { flag: text.slice(0, eq), value: text.slice(eq + 1) };
}
