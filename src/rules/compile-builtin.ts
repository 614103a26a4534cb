// Build step: validate rules.yaml and write it as dist/rules.json, so the shim reads JSON on its hot
// path and a broken built-in catalogue fails the build with its line number.

import { readFileSync, writeFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { readLayer } from './load.js';

const [source, destination] = process.argv.slice(2);
try {
  const { layer } = await readLayer('rules.yaml (built-in)', readFileSync(source, 'utf8'));
  writeFileSync(destination, `${JSON.stringify(layer)}\n`);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
