// Each agent's pre-shell hook protocol: where the command and cwd are in its JSON, and how a decision
// is said back. Facts from each agent's hook documentation (Claude Code, Cursor, Codex, Gemini,
// Copilot). Unknown fields are ignored; a missing command is an error, answered with a deny.

export type HookAgent = 'claude' | 'cursor' | 'codex' | 'gemini' | 'copilot';
export const hookAgents: HookAgent[] = ['claude', 'cursor', 'codex', 'gemini', 'copilot'];

export interface HookRequest {
  /** The shell line the agent is about to run; undefined for a tool that is not a shell. */
  command?: string;
  cwd?: string;
}

export interface HookAnswer {
  stdout: string;
  stderr: string;
  exitCode: number;
}

type Json = Record<string, unknown>;
const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** Shell tools by agent: anything else (Edit, Read, MCP tools) is not chaperone's to judge. */
const shellTools: Record<HookAgent, RegExp> = {
  claude: /^Bash$/,
  codex: /^(Bash|shell|exec_command|local_shell)$/,
  gemini: /^run_shell_command$/,
  copilot: /^(bash|shell|powershell|run_in_terminal|runInTerminal)$/i,
  cursor: /.*/,
};

export function readHookRequest(agent: HookAgent, input: Json): HookRequest {
  switch (agent) {
    case 'claude':
    case 'codex':
    case 'gemini': {
      const tool = str(input.tool_name);
      if (tool !== undefined && !shellTools[agent].test(tool)) return { cwd: str(input.cwd) };
      const toolInput = (input.tool_input ?? {}) as Json;
      return { command: required(str(toolInput.command), 'tool_input.command'), cwd: str(input.cwd) };
    }
    case 'cursor':
      return { command: required(str(input.command), 'command'), cwd: str(input.cwd) || firstRoot(input.workspace_roots) };
    case 'copilot': {
      // Copilot CLI: {toolName, toolArgs: "<JSON string>"}; VS Code's harness: {tool_name, tool_input}.
      const tool = str(input.toolName) ?? str(input.tool_name);
      if (tool !== undefined && !shellTools.copilot.test(tool)) return { cwd: str(input.cwd) };
      const args = typeof input.toolArgs === 'string' ? (JSON.parse(input.toolArgs) as Json) : ((input.toolArgs ?? input.tool_input ?? {}) as Json);
      return { command: required(str(args.command), 'toolArgs.command'), cwd: str(input.cwd) };
    }
  }
}

function required(value: string | undefined, field: string): string {
  if (value === undefined) throw new Error(`the hook input has no ${field}`);
  return value;
}

function firstRoot(roots: unknown): string | undefined {
  return Array.isArray(roots) && typeof roots[0] === 'string' ? roots[0] : undefined;
}

/**
 * Says allow or deny in the agent's own words. A deny also exits 2 where that blocks on its own
 * (Claude Code, Codex), so a deny holds even if the JSON is not understood.
 */
export function hookAnswer(agent: HookAgent, verdict: 'allow' | 'deny', reason: string): HookAnswer {
  const json = (value: unknown) => `${JSON.stringify(value)}\n`;
  if (verdict === 'allow') {
    // No opinion: the agent's own permission flow goes on as if chaperone were not there.
    switch (agent) {
      case 'claude':
      case 'codex':
        return { stdout: '', stderr: '', exitCode: 0 };
      case 'cursor':
        return { stdout: json({ permission: 'allow' }), stderr: '', exitCode: 0 };
      case 'gemini':
      case 'copilot':
        return { stdout: json({}), stderr: '', exitCode: 0 };
    }
  }
  switch (agent) {
    case 'claude':
    case 'codex':
      return {
        stdout: json({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason } }),
        stderr: `${reason}\n`,
        exitCode: 2,
      };
    case 'cursor':
      return {
        stdout: json({ permission: 'deny', user_message: reason, agent_message: reason, userMessage: reason, agentMessage: reason }),
        stderr: '',
        exitCode: 0,
      };
    case 'gemini':
      return { stdout: json({ decision: 'deny', reason, systemMessage: firstLine(reason) }), stderr: '', exitCode: 0 };
    case 'copilot':
      return { stdout: json({ permissionDecision: 'deny', permissionDecisionReason: reason }), stderr: '', exitCode: 0 };
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
