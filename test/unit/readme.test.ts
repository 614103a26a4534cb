import { expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

it('the README stays short (≤ 12 KB); the rest lives in docs/', () => {
  expect(Buffer.byteLength(read('README.md'))).toBeLessThanOrEqual(12 * 1024);
});

it('every relative link in README.md and docs/ points at a file that exists', () => {
  const docs = ['README.md', ...readdirSync(new URL('../../docs/', import.meta.url)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const broken: string[] = [];
  for (const doc of docs) {
    for (const [, target] of read(doc).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const from = new URL(`../../${doc}`, import.meta.url);
      if (!existsSync(new URL(target, from))) broken.push(`${doc} → ${target}`);
    }
  }
  expect(broken).toEqual([]);
});
