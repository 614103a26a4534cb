// Matching parsed commands against the destroy rules: a few obvious lines over data.

import type { Command, Finding, ParsedInvocation } from '../model.js';
import { mayStartWith, rulesFor, type Config, type FlagCondition, type Rule, type WordPattern } from './config.js';

/** matchRules over the config's rules that may meet these commands (rulesFor: a tool's, by first word). */
export function matchConfig(tool: string, parsed: ParsedInvocation, config: Config): Finding[] {
  return parsed.help ? [] : matchRules(tool, parsed, rulesFor(config, tool, parsed.commands));
}

export function matchRules(tool: string, parsed: ParsedInvocation, rules: readonly Rule[]): Finding[] {
  if (parsed.help) return [];
  const findings: Finding[] = [];
  for (const command of parsed.commands) {
    for (const rule of rules) {
      if (!rule.tools.includes(tool) || !matchesRule(command, rule)) continue;
      findings.push({ rule: rule.id, effect: rule.effect, summary: rule.summary, ...(command.text ? { text: command.text } : {}) });
    }
  }
  return findings;
}

export function matchesRule(command: Command, rule: Rule): boolean {
  const pathMatches = rule.command.length === 0 || (mayStartAny(rule.command, command.path[0]) && rule.paths.some((pattern) => startsWith(command.path, pattern)));
  return (
    pathMatches &&
    rule.with.every((condition) => hasFlag(command, condition)) &&
    !rule.without.some((condition) => hasFlag(command, condition))
  );
}

/** Whether any of a rule's paths may start with `word` (a loop, not a closure per rule: a user's file may hold thousands). */
function mayStartAny(paths: readonly string[], word: string | undefined): boolean {
  for (let i = 0; i < paths.length; i++) if (mayStartWith(paths[i], word)) return true;
  return false;
}

function startsWith(path: readonly string[], pattern: readonly WordPattern[]): boolean {
  return pattern.length <= path.length && pattern.every((word, i) => word.test(path[i]));
}

function hasFlag(command: Command, condition: FlagCondition): boolean {
  const values = command.flags.get(condition.flag);
  if (!values) return false;
  if (condition.below !== undefined) return values.some((v) => !/^\s*[+-]?\d+(\.\d+)?\s*$/.test(v) || Number(v) < condition.below!);
  return condition.value === undefined || values.includes(condition.value);
}
