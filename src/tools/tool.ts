// What chaperone must know about each tool it wraps: how to read its argv, and how it decides what it
// targets. One file per tool implements this.

import type { Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { sha256Hex } from '../hash.js';

export interface Tool {
  /** The name rules use (`tool: railway`). */
  name: string;
  parse(invocation: Invocation): ParsedInvocation | Promise<ParsedInvocation>;
  resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget | Promise<ResolvedTarget>;
  /**
   * First words whose calls this grammar turns into nothing but a command path starting with that word:
   * no payload, no nested line, no alias, no plugin. Candidates for the shim's fast path; the rules, not
   * this list, decide which remain (src/shim/fast-path.ts).
   */
  plainWords?: readonly string[];
  /** Variables that inject arguments into a call starting with `word` (terraform's TF_CLI_ARGS_plan). */
  injectedBy?: (word: string) => string[];
  /**
   * Run in a container, a pod or over ssh with nothing of its own naming a target, this tool acts on
   * the machine it runs on: a database client's default socket, a framework's database from that
   * machine's variables, docker's default daemon. There the runner's target is its target. A tool
   * without it (a cloud CLI, git, kubectl, curl) reaches whatever the credentials it finds there name,
   * so a local container says nothing about where `railway volume delete` lands: unknown.
   */
  actsOnItsHost?: true;
}

/** A short, non-reversible name for a secret, so a user can map it in config without writing it down. */
export function fingerprint(secret: string): string {
  return `sha256:${sha256Hex(secret).slice(0, 16)}`;
}

/** Percent-decoding (URLs, connection strings) that leaves a malformed escape as written. */
export function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
