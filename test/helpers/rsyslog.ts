// A throwaway rsyslogd for one test file: UDP and TCP inputs on 127.0.0.1 at free ports and a Unix
// stream socket (imptcp), everything written to one file as "MSGID MSG", its state in a temp dir.

import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, which } from './system.js';

export interface Rsyslog {
  udp: number;
  tcp: number;
  socket: string;
  /** What rsyslog wrote so far, a message per line. */
  received(): string[];
  /** Polls until `count` lines matching `pattern` arrived. */
  waitFor(pattern: RegExp, count: number): Promise<string[]>;
  stop(): Promise<void>;
}

const rsyslogd = () => which('rsyslogd', `${process.env.PATH}:/usr/sbin:/sbin`);

export async function rsyslogProblems(): Promise<string[]> {
  // Debian puts it in /usr/sbin, which a user's PATH may lack; run it by its full path.
  const binary = rsyslogd();
  if (!binary) return ['rsyslogd is not installed (Debian package: rsyslog)'];
  const probe = await execa(binary, ['-v'], { reject: false, stdin: 'ignore' });
  return probe.exitCode === 0 ? [] : [`\`${binary} -v\` failed: ${String(probe.stderr).split('\n')[0]}`];
}

export async function startRsyslog(): Promise<Rsyslog> {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-rsyslog-')));
  const [udp, tcp] = [await freePort(), await freePort()];
  const out = join(root, 'received.log');
  const socket = join(root, 'log.sock');
  writeFileSync(
    join(root, 'rsyslog.conf'),
    [
      `global(workDirectory="${root}" maxMessageSize="256k")`,
      'module(load="imudp")',
      `input(type="imudp" address="127.0.0.1" port="${udp}")`,
      'module(load="imtcp")',
      `input(type="imtcp" address="127.0.0.1" port="${tcp}")`,
      'module(load="imptcp")',
      `input(type="imptcp" path="${socket}" unlink="on")`,
      'template(name="raw" type="string" string="%msgid% %app-name% %syslogfacility-text%.%syslogseverity-text% %msg%\\n")',
      `*.* action(type="omfile" file="${out}" template="raw")`,
      '',
    ].join('\n'),
  );
  const server: ResultPromise = execa(rsyslogd()!, ['-n', '-f', join(root, 'rsyslog.conf'), '-i', join(root, 'rsyslog.pid')], { reject: false, stdin: 'ignore' });
  for (let i = 0; i < 200 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 25));
  if (!existsSync(socket)) {
    server.kill('SIGKILL');
    throw new Error(`rsyslogd did not start: ${String((await server).stderr)}`);
  }
  const received = () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : []);
  return {
    udp,
    tcp,
    socket,
    received,
    async waitFor(pattern, count) {
      for (let i = 0; i < 400; i++) {
        const lines = received().filter((l) => pattern.test(l));
        if (lines.length >= count) return lines;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`rsyslog received ${received().filter((l) => pattern.test(l)).length} of ${count} messages matching ${pattern}:\n${received().join('\n')}`);
    },
    async stop() {
      server.kill('SIGTERM');
      await Promise.race([server, new Promise((r) => setTimeout(r, 5000))]);
      server.kill('SIGKILL');
      rmSync(root, { recursive: true, force: true });
    },
  };
}
