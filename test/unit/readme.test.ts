import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
// @ts-expect-error: a plain JS build script
import { coveredTable, withTable } from '../../scripts/covered-table.js';

const read = (name: string) => readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8');

it("docs/covered-commands.md is the table rules.yaml generates (run: node scripts/covered-table.js --write)", () => {
  const doc = read('docs/covered-commands.md');
  expect(doc).toBe(withTable(doc, coveredTable(read('rules.yaml'))));
});

it("README's test command is the one package.json and .ci/run use", () => {
  expect(read('README.md')).toContain('npm ci && npm test');
  expect(read('.ci/run')).toMatch(/npm test/);
});
