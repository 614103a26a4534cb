// doctl: NOT YET IMPLEMENTED. A placeholder so the tool is registered; it gates nothing.
// To be replaced by the real grammar and target resolution (issue: cover the CLIs where production lives).

import type { Tool } from './tool.js';

export const doctl: Tool = {
  name: 'doctl',
  executables: ['doctl'],
  parse: () => ({ commands: [], help: false }),
  resolve: () => ({ evidence: [], identifiers: [] }),
};
