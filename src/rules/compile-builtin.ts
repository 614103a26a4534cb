// Build step: validate rules.yaml and write it as dist/rules.json, so the shim reads JSON on its hot
// path (a tool's rules at a time: src/rules/compiled.ts) and a broken built-in catalogue fails the
// build with its line number.

import { readFileSync, writeFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { readLayer } from './load.js';
import { compileRules } from './compiled.js';
import { toolNames } from '../tools/index.js';

const [source, destination] = process.argv.slice(2);
try {
  const { layer } = await readLayer('rules.yaml (built-in)', readFileSync(source, 'utf8'));
  writeFileSync(destination, compileRules(layer, toolNames));
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
