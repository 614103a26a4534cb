// Audit records sent to a real rsyslogd on loopback, as a team's log pipeline would receive them: every
// gated decision arrives, once, as an RFC 5424 message whose body is the audit line itself.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { linkRailway, makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { rsyslogProblems, startRsyslog, type Rsyslog } from '../helpers/rsyslog.js';
import { toolGroup } from '../helpers/system.js';

const group = toolGroup('audit records to a real rsyslogd', await rsyslogProblems());

describe.skipIf(group.skip)(group.title, () => {
  let syslog: Rsyslog | undefined;
  let sb: Sandbox;
  const userRules = (target: string) => sb.write('home/.config/chaperone/rules.yaml', `audit-syslog: "${target}"\n`);
  const auditFile = () => join(sb.home, '.local/state/chaperone/audit.jsonl');
  const auditLines = () => (existsSync(auditFile()) ? readFileSync(auditFile(), 'utf8').split('\n').filter(Boolean) : []);

  beforeAll(async () => {
    group.assertAvailable();
    [syslog, sb] = await Promise.all([startRsyslog(), makeSandbox(['railway'])]);
    sb.double('railway');
    linkRailway(sb, sb.work, 'production');
  });
  afterAll(async () => {
    await syslog?.stop();
    if (sb) rmSync(sb.root, { recursive: true, force: true });
  });

  it.each(['udp', 'tcp', 'unix'] as const)('over %s: every gated decision arrives, with the audit line as its body', async (kind) => {
    userRules(kind === 'unix' ? `unix:${syslog!.socket}` : `${kind}://127.0.0.1:${kind === 'udp' ? syslog!.udp : syslog!.tcp}`);
    const before = auditLines().length;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => sb.run('railway', ['volume', 'delete', '--volume', `${kind}-${i}`, '--yes'], { env: { CHAPERONE_ACTOR: 'agent' } })),
    );
    expect(results.every((r) => r.exitCode === 77)).toBe(true);
    const sent = auditLines().slice(before);
    expect(sent).toHaveLength(10);
    const arrived = await syslog!.waitFor(new RegExp(`"--volume","${kind}-\\d"`), 10);
    expect(arrived).toHaveLength(10);
    for (const line of arrived) expect(line).toMatch(/^refused chaperone authpriv\.warning \{"seq":\d+,"prev":"[0-9a-f]{64}"/);
    // The body is the local record, byte for byte.
    expect(arrived.map((l) => l.replace(/^\S+ \S+ \S+ /, '')).sort()).toEqual([...sent].sort());
  });

  it('an allowed decision arrives as a notice; a dead collector is reported and changes nothing', async () => {
    const dev = join(sb.root, 'dev');
    await sb.sh(`mkdir -p ${dev}`);
    linkRailway(sb, dev, 'development');
    userRules(`tcp://127.0.0.1:${syslog!.tcp}`);
    const allowed = await sb.run('railway', ['variable', 'delete', 'DEV_NOTICE'], { cwd: dev });
    expect(allowed.exitCode).toBe(0);
    expect(await syslog!.waitFor(/DEV_NOTICE/, 1)).toEqual([expect.stringMatching(/^allowed chaperone authpriv\.notice /)]);
    userRules('tcp://127.0.0.1:1');
    const dead = await sb.run('railway', ['variable', 'delete', 'DEAD'], { cwd: dev });
    expect(dead.exitCode).toBe(0);
    expect(String(dead.stderr)).toContain('the audit record was written locally but not sent to syslog at tcp://127.0.0.1:1');
    expect(auditLines().at(-1)).toContain('"DEAD"');
  });

  it('a project file may not send the log anywhere', async () => {
    userRules(`udp://127.0.0.1:${syslog!.udp}`);
    sb.write('work/.chaperone.yaml', 'audit-syslog: "udp://198.51.100.7:514"\n');
    try {
      const result = await sb.run('railway', ['status']);
      expect(result.exitCode).toBe(2);
      expect(String(result.stderr)).toContain('a project file may not send the audit log anywhere');
    } finally {
      rmSync(join(sb.work, '.chaperone.yaml'));
    }
  });
});
