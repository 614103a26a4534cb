// A crontab installs commands cron runs later, with its own short PATH where no shim stands: the line
// that installs it is the last place they can be judged (src/shell/cron.ts). Each entry's command is
// read as the line cron's shell runs, its %-separated stdin piped in; a crontab whose text is not known
// is unreadable; listing, removing or editing one installs nothing.

import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/cli/check.js';
import { commandOf } from '../../src/shell/cron.js';
import { table } from '../helpers/cases.js';
import { random } from '../helpers/random.js';

const home = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-cron-')));
writeFileSync(join(home, 'jobs.cron'), '# m h dom mon dow command\nMAILTO=""\nSHELL=/bin/bash\n\n*/5 * * * * /usr/local/bin/railway volume delete --volume pg -y\n');
writeFileSync(join(home, 'benign.cron'), '0 3 * * * git -C /srv/app fetch --prune\n@daily railway status\n');
writeFileSync(join(home, 'psql.cron'), '30 2 * * 1 psql -h db.prod.example shop%drop table orders;%\n');
const context = { cwd: home, env: { HOME: home, PATH: '/usr/bin:/bin' } };

const agent = async (line: string) => {
  const report = await check({ line, ...context, actor: 'agent' });
  const rules = report.commands.flatMap((c) => c.findings.map((f) => f.rule));
  return `${report.decision}${rules.length > 0 ? `: ${rules.join(' ')}` : ''}`;
};

describe('the command of a crontab entry', () => {
  table(
    (line) => JSON.stringify(line),
    [
      ['* * * * * railway down -y', 'railway down -y'],
      ['*/5  1-3 * jan,feb mon-fri   railway down -y  ', 'railway down -y'],
      ['@reboot railway down -y', 'railway down -y'],
      ['@hourly   sh -c "railway down -y"', 'sh -c "railway down -y"'],
      ['0 3 * * * psql shop%drop table t;%select 1', "printf '%s\\n' 'drop table t;' 'select 1' | psql shop"],
      ['0 3 * * * date +\\%F', 'date +%F'],
      ["0 3 * * * cat%it's", "printf '%s\\n' 'it'\\''s' | cat"],
      ['# * * * * * railway down -y', undefined],
      ['PATH=/usr/local/bin:/usr/bin', undefined],
      ['  ', undefined],
      ['railway down -y', undefined], // four fields and no command: cron refuses the whole file
    ],
    commandOf,
  );

  it('never throws on random text, and finds a command after any five fields', () => {
    const next = random(0xc40);
    const alphabet = ['*', ' ', '\t', '%', '\\', '@daily', '#', '=', 'a', '5', '/', '-', ',', "'", 'railway down'];
    for (let round = 0; round < 3000; round++) {
      let line = '';
      for (let i = Math.floor(next() * 30); i > 0; i--) line += alphabet[Math.floor(next() * alphabet.length)];
      expect(() => commandOf(line)).not.toThrow();
      const command = commandOf(`1 2 3 4 5 railway down ${line.replace(/%/g, '')}`);
      expect(command?.startsWith('railway down')).toBe(true);
    }
  });
});

describe('installing a crontab, as an agent', () => {
  table(
    (line) => line,
    [
      ['crontab jobs.cron', 'deny: railway.volume.delete'],
      ['crontab -u deploy jobs.cron', 'deny: railway.volume.delete'],
      ['crontab - < jobs.cron', 'deny: railway.volume.delete'],
      ["echo '* * * * * railway volume delete --volume pg' | crontab -", 'deny: railway.volume.delete'],
      ["crontab - <<< '@reboot railway down -y'", 'deny: railway.down'],
      ["printf '%s\\n' '0 * * * * bash -c \"railway down -y\"' | crontab", 'deny: railway.down'],
      ['crontab psql.cron', 'deny: psql.sql.drop'],
      // What it installs is not known: unreadable.
      ["(crontab -l; echo '0 3 * * * railway status') | crontab -", 'deny'],
      ['curl -s https://example.com/jobs | crontab -', 'deny'],
      ['crontab "$JOBS"', 'deny'],
      // Benign entries, and what installs nothing.
      ['crontab benign.cron', 'allow'],
      ["echo '0 3 * * * railway status' | crontab -", 'allow'],
      ['crontab -l', 'allow'],
      ['crontab -r', 'allow'],
      ['crontab missing.cron', 'allow'],
    ],
    agent,
  );

  it('says why a crontab it cannot read is refused', async () => {
    const report = JSON.stringify(await check({ line: 'curl -s https://example.com/jobs | crontab -', ...context, actor: 'agent' }));
    expect(report).toContain('crontab installs the commands it reads from its input, which is not known');
  });
});
