// The shape of a rules file, checked by hand so that every complaint can point at a line.
// The same schema serves the built-in rules.yaml, a user's file and a project's .chaperone.yaml.

import type { EnvironmentClass, Effect, IdentifierKind, PolicyAction } from '../model.js';
import { identifierKindNames } from '../context/identifiers.js';
import { parseSyslogTarget } from '../audit/syslog.js';

export const namedClasses = ['production', 'staging', 'development'] as const;
export type NamedClass = (typeof namedClasses)[number];
export const allClasses: EnvironmentClass[] = ['production', 'staging', 'development', 'unknown'];
export const policyActions: PolicyAction[] = ['allow', 'notice', 'confirm', 'confirm-name', 'deny'];
export const effects: Effect[] = ['destroy', 'disrupt', 'disables-recovery', 'deletes-recovery', 'restores-over'];
export const targetKinds: IdentifierKind[] = identifierKindNames;

export interface RuleEntry {
  id: string;
  /** The tools whose invocations the rule reads (`tool: kubectl` or `tool: [kubectl, docker]`). */
  tools: string[];
  /** Each entry is one command path pattern, e.g. "volume|volumes delete|rm|remove"; empty: any. */
  command: string[];
  with: string[];
  without: string[];
  effect: Effect;
  summary: string;
}

/** One layer as written in a file, after validation. Plain data: the built-in layer ships as JSON. */
export interface Layer {
  file: string;
  environments: Partial<Record<NamedClass, string[]>>;
  policy: Partial<Record<EnvironmentClass, PolicyAction>>;
  targets: Partial<Record<IdentifierKind, Record<string, EnvironmentClass>>>;
  rules: RuleEntry[];
  disable: string[];
  /** git branches that count as production (globs allowed: release/*). */
  protectedBranches: string[];
  /** The classes whose confirmed destructive SQL is backed up first; undefined when the layer says nothing. */
  backupBeforeDestroy?: EnvironmentClass[];
  /** How much the backups may take: the oldest go first. */
  backupLimits?: Partial<BackupLimits>;
  auditSyslog?: string;
}

export interface BackupLimits {
  maxAgeDays: number;
  maxTotalMb: number;
}

export type Path = (string | number)[];
/** Reports a problem at a path in the document (at its key, or its value); never returns. */
export type Complain = (path: Path, problem: string, at?: 'key' | 'value') => never;

const topLevelKeys = ['environments', 'policy', 'targets', 'protected-branches', 'backup-before-destroy', 'backup-limits', 'audit-syslog', 'rules', 'disable'];
const ruleKeys = ['id', 'tool', 'command', 'with', 'without', 'effect', 'summary'];

export function validateLayer(data: unknown, file: string, knownTools: ReadonlySet<string>, complain: Complain): Layer {
  const layer: Layer = { file, environments: {}, policy: {}, targets: {}, rules: [], disable: [], protectedBranches: [] };
  if (data === null || data === undefined) return layer; // an empty file is a valid, empty layer
  const top = expectMap(data, [], complain);
  for (const key of Object.keys(top)) {
    if (!topLevelKeys.includes(key)) complain([key], `unknown key "${key}" (expected one of ${topLevelKeys.join(', ')})`, 'key');
  }

  if (top.environments !== undefined) {
    const envs = expectMap(top.environments, ['environments'], complain);
    for (const [cls, names] of Object.entries(envs)) {
      if (!(namedClasses as readonly string[]).includes(cls)) {
        complain(['environments', cls], `unknown environment class "${cls}" (expected ${namedClasses.join(', ')})`, 'key');
      }
      layer.environments[cls as NamedClass] = expectStringList(names, ['environments', cls], complain);
    }
  }

  if (top.policy !== undefined) {
    const policy = expectMap(top.policy, ['policy'], complain);
    for (const [cls, action] of Object.entries(policy)) {
      if (!allClasses.includes(cls as EnvironmentClass)) {
        complain(['policy', cls], `unknown environment class "${cls}" (expected ${allClasses.join(', ')})`, 'key');
      }
      if (typeof action !== 'string' || !policyActions.includes(action as PolicyAction)) {
        complain(['policy', cls], `policy for ${cls} must be one of ${policyActions.join(', ')}`);
      }
      layer.policy[cls as EnvironmentClass] = action as PolicyAction;
    }
  }

  if (top.targets !== undefined) {
    const targets = expectMap(top.targets, ['targets'], complain);
    for (const [kind, mapping] of Object.entries(targets)) {
      if (!targetKinds.includes(kind as IdentifierKind)) {
        complain(['targets', kind], `unknown target kind "${kind}" (expected one of ${targetKinds.join(', ')})`, 'key');
      }
      const entries = expectMap(mapping, ['targets', kind], complain);
      const out: Record<string, EnvironmentClass> = {};
      for (const [value, cls] of Object.entries(entries)) {
        if (typeof cls !== 'string' || !allClasses.includes(cls as EnvironmentClass)) {
          complain(['targets', kind, value], `class must be one of ${allClasses.join(', ')}`);
        }
        out[value] = cls as EnvironmentClass;
      }
      layer.targets[kind as IdentifierKind] = out;
    }
  }

  if (top.rules !== undefined) {
    if (!Array.isArray(top.rules)) complain(['rules'], 'rules must be a list');
    top.rules.forEach((raw: unknown, i: number) => layer.rules.push(validateRule(raw, ['rules', i], knownTools, complain)));
  }

  if (top['protected-branches'] !== undefined) {
    layer.protectedBranches = expectStringList(top['protected-branches'], ['protected-branches'], complain);
  }
  if (top['backup-before-destroy'] !== undefined) {
    const classes = expectStringList(top['backup-before-destroy'], ['backup-before-destroy'], complain);
    classes.forEach((cls, i) => {
      if (!allClasses.includes(cls as EnvironmentClass)) complain(['backup-before-destroy', i], `unknown environment class "${cls}" (expected ${allClasses.join(', ')})`);
    });
    layer.backupBeforeDestroy = classes as EnvironmentClass[];
  }
  if (top['backup-limits'] !== undefined) {
    const limits = expectMap(top['backup-limits'], ['backup-limits'], complain);
    const names: Record<string, keyof BackupLimits> = { 'max-age-days': 'maxAgeDays', 'max-total-mb': 'maxTotalMb' };
    layer.backupLimits = {};
    for (const [key, value] of Object.entries(limits)) {
      if (!(key in names)) complain(['backup-limits', key], `unknown key "${key}" (expected ${Object.keys(names).join(', ')})`, 'key');
      if (typeof value !== 'number' || !(value > 0)) complain(['backup-limits', key], `${key} must be a number above 0`);
      layer.backupLimits[names[key]] = value as number;
    }
  }
  if (top['audit-syslog'] !== undefined) {
    const target = top['audit-syslog'];
    if (typeof target !== 'string' || !parseSyslogTarget(target)) complain(['audit-syslog'], 'expected udp://HOST:PORT, tcp://HOST:PORT or unix:/PATH');
    else layer.auditSyslog = target;
  }
  if (top.disable !== undefined) layer.disable = expectStringList(top.disable, ['disable'], complain);
  return layer;
}

function validateRule(raw: unknown, at: Path, knownTools: ReadonlySet<string>, complain: Complain): RuleEntry {
  const rule = expectMap(raw, at, complain);
  for (const key of Object.keys(rule)) {
    if (!ruleKeys.includes(key)) complain([...at, key], `unknown rule key "${key}" (expected one of ${ruleKeys.join(', ')})`, 'key');
  }
  for (const key of ['id', 'effect', 'summary']) {
    if (typeof rule[key] !== 'string' || rule[key] === '') complain(at, `rule needs a non-empty "${key}"`);
  }
  if (rule.tool === undefined || rule.tool === '') complain(at, 'rule needs a non-empty "tool" (a tool, or a list of tools)');
  const tools = typeof rule.tool === 'string' ? [rule.tool] : expectStringList(rule.tool, [...at, 'tool'], complain);
  if (tools.length === 0) complain([...at, 'tool'], 'rule needs at least one tool');
  if (!/^[a-z0-9_][a-z0-9_.-]*$/i.test(rule.id)) complain([...at, 'id'], `rule id "${rule.id}" may hold only letters, digits, ".", "_" and "-"`);
  for (const tool of tools) {
    if (!knownTools.has(tool)) complain([...at, 'tool'], `unknown tool "${tool}" (chaperone reads: ${[...knownTools].sort().join(', ')})`);
  }
  if (!effects.includes(rule.effect)) complain([...at, 'effect'], `effect must be one of ${effects.join(', ')}`);
  const command =
    rule.command === undefined
      ? []
      : typeof rule.command === 'string'
        ? [rule.command]
        : expectStringList(rule.command, [...at, 'command'], complain);
  const flagsAt = (key: 'with' | 'without') => {
    const list = rule[key] === undefined ? [] : expectStringList(rule[key], [...at, key], complain);
    list.forEach((flag, i) => {
      if (!flag.startsWith('-')) complain([...at, key, i], `"${flag}" is not a flag: write it as it is typed, e.g. --recursive`);
      if (flag.includes('<') && !/^[^=<]+<\d+$/.test(flag)) complain([...at, key, i], `"${flag}": a comparison is written --flag<N, N a whole number (--backup-retention-period<7)`);
    });
    return list;
  };
  return {
    id: rule.id,
    tools,
    command,
    with: flagsAt('with'),
    without: flagsAt('without'),
    effect: rule.effect,
    summary: rule.summary,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function expectMap(value: unknown, at: Path, complain: Complain): Record<string, any> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) complain(at, 'expected a mapping (key: value)');
  return value as Record<string, unknown>;
}

function expectStringList(value: unknown, at: Path, complain: Complain): string[] {
  if (!Array.isArray(value)) complain(at, 'expected a list');
  (value as unknown[]).forEach((item, i) => {
    if (typeof item !== 'string' || item === '') complain([...at, i], 'expected a non-empty string');
  });
  return value as string[];
}
