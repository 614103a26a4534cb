// Each tool's code cache is warmed by calls made from its own rules (src/shim/warm-up.ts): at least one
// of them must be refused, or that tool's refusals would compile the refusal's bookkeeping (the store,
// the audit append, the message) at every call.

import { describe, expect, it } from 'vitest';
import { warmUpTool } from '../../src/shim/warm-up.js';
import { executables, toolNames, toolOf } from '../../src/tools/index.js';

describe("a tool's code-cache warm-up", () => {
  it.each(toolNames)('%s: a call made from its rules is refused', async (tool) => {
    const executable = executables.find((name) => toolOf(name) === tool)!;
    expect(await warmUpTool(executable)).toBeGreaterThan(0);
  });
});
