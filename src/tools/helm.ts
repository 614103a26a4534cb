// helm: NOT YET IMPLEMENTED. A placeholder so the tool is registered; it gates nothing.
// To be replaced by the real grammar and target resolution (issue: cover the CLIs where production lives).

import type { Tool } from './tool.js';

export const helm: Tool = {
  name: 'helm',
  executables: ['helm'],
  parse: () => ({ commands: [], help: false }),
  resolve: () => ({ evidence: [], identifiers: [] }),
};
