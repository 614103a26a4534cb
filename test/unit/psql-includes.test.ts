// psql scripts read their \i and \ir includes, relative to cwd and to the script's own directory.

import { beforeAll, describe } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine } from '../helpers/evaluate.js';

const dir = join(emptyHome, 'includes');
beforeAll(() => {
  mkdirSync(join(dir, 'sql'), { recursive: true });
  writeFileSync(join(dir, 'sql', 'drop.sql'), 'DROP TABLE orders;\n');
  writeFileSync(join(dir, 'sql', 'main.sql'), 'SELECT 1;\n\\ir drop.sql\n');
  writeFileSync(join(dir, 'top.sql'), 'SELECT 1;\n\\i sql/drop.sql\n');
  writeFileSync(join(dir, 'safe.sql'), 'SELECT 1;\n\\i sql/missing.sql\n');
});

describe('psql -f with includes', () => {
  table((line) => line, [
    ['psql -f sql/main.sql', 'psql.sql.drop'],
    ['psql -f top.sql', 'psql.sql.drop'],
    ['psql -f safe.sql', 'psql.sql.unreadable'],
    ['psql -c "\\ir sql/drop.sql"', 'psql.sql.drop'],
  ], async (line) => (await evaluateLine(line, {}, dir, '')).findings.map((f) => f.rule).join(' '));
});
