// Property tests for the platform CLIs' config readers: mutated config files (truncated, bytes flipped,
// keys spliced in) never crash an evaluation, and a file that does not parse never makes a destructive
// command's target development: it is unknown, held like production.

import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { evaluate } from '../../src/evaluate.js';
import { withoutJsonComments } from '../../src/tools/wrangler-config.js';

interface Subject {
  /** The config file, relative to a directory that is both HOME and the working directory. */
  file: string;
  valid: string;
  argv: string[];
  env?: (dir: string) => NodeJS.ProcessEnv;
  /** Whether the text, as the tool reads it, parses. */
  parses: (text: string) => boolean;
}

const json = (text: string) => {
  try {
    JSON.parse(text.replace(/^\uFEFF/, ''));
    return true;
  } catch {
    return false;
  }
};

const subjects: Subject[] = [
  { file: '.azure/azureProfile.json', valid: JSON.stringify({ subscriptions: [{ id: 'x', name: 'acme-dev', isDefault: true }] }), argv: ['az', 'group', 'delete', '-n', 'shop'], parses: json },
  { file: 'wrangler.jsonc', valid: '{ // w\n "name": "shop-dev", "env": { "dev": { "name": "shop-dev" } }, }', argv: ['wrangler', 'delete'], parses: (t) => json(withoutJsonComments(t)) },
  { file: '.firebaserc', valid: JSON.stringify({ projects: { default: 'acme-dev' } }), argv: ['firebase', 'firestore:delete', '-r', 'users'], parses: json },
  { file: '.config/turso/settings.json', valid: JSON.stringify({ organization: 'acme-dev' }), argv: ['turso', 'db', 'destroy', 'shop'], env: (d) => ({ XDG_CONFIG_HOME: join(d, '.config') }), parses: json },
  { file: '.netlify/state.json', valid: JSON.stringify({ siteId: 'shop-dev' }), argv: ['netlify', 'blobs:delete', 'store', 'key'], parses: json },
];

function mutate(text: string, seed: number): string {
  let a = seed >>> 0;
  const next = () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296;
  };
  let out = text;
  const edits = 1 + Math.floor(next() * 3);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * (out.length + 1));
    const pick = Math.floor(next() * 5);
    if (pick === 0) out = out.slice(0, at);
    else if (pick === 1) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(next() * 4));
    else if (pick === 2) out = out.slice(0, at) + ['"', '{', '}', ',', ':', '//', '/*', '\\', 'dev', '\u0000'][Math.floor(next() * 10)] + out.slice(at);
    else if (pick === 3) out = out.slice(0, at) + String.fromCharCode(Math.floor(next() * 128)) + out.slice(at + 1);
    else out = out.replace('dev', ['prod', 'x', '', '"dev'][Math.floor(next() * 4)]);
  }
  return out;
}

describe('platform config readers on mutated files', () => {
  for (const subject of subjects) {
    it(`${subject.file}: never crashes, and an unparseable file is never development`, async () => {
      const dir = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-cfg-fuzz-')));
      try {
        let broken = 0;
        for (let seed = 1; seed <= 40; seed++) {
          const text = mutate(subject.valid, seed);
          const path = join(dir, subject.file);
          mkdirSync(dirname(path), { recursive: true });
          writeFileSync(path, text);
          const [tool, ...args] = subject.argv;
          const ev = await evaluate({ tool, args, cwd: dir, env: { HOME: dir, ...subject.env?.(dir) } }, { actor: 'agent' });
          expect(ev.findings.length, `seed ${seed}`).toBeGreaterThan(0);
          if (!subject.parses(text)) {
            broken++;
            expect(ev.target!.class, `seed ${seed}: ${JSON.stringify(text)}`).not.toBe('development');
            expect(ev.decision.verdict).toBe('deny');
          }
        }
        expect(broken).toBeGreaterThan(8);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
