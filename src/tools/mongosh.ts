// mongosh: NOT YET IMPLEMENTED. A placeholder so the tool is registered; it gates nothing.
// To be replaced by the real grammar, payload reading and target resolution (issue: read what the
// command carries).

import type { Tool } from './tool.js';

export const mongosh: Tool = {
  name: 'mongosh',
  executables: ['mongosh', 'mongo'],
  parse: () => ({ commands: [], help: false }),
  resolve: () => ({ evidence: [], identifiers: [] }),
};
