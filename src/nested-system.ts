// System commands that destroy data on the machine they run on: `rm -r`, `dd of=/dev/…`, `mkfs`, `wipefs`,
// `shred`. chaperone does not gate them on this machine (no shim stands in front of rm), but run in a
// production pod or on a production host (`kubectl exec POD -- rm -rf /var/lib/postgresql/data`) they
// destroy the same data a `dropdb` would. src/nested.ts reads them in remote lines only and hands them to
// the outer tool's rules as `nested rm`, `nested dd`, … (rules.yaml, `nested.*`).

import type { Command } from './model.js';
import { showCommand } from './display/describe.js';

/** Whether a command name is one read here (so the quick look in nested.ts must not skip its line). */
export function isSystemCommand(name: string): boolean {
  return ['rm', 'dd', 'wipefs', 'shred'].includes(name) || /^mkfs(\..+)?$/.test(name);
}

/** The action a system command asks for, as a command rules can read; undefined for one not read here. */
export function systemCommand(name: string, args: readonly string[]): Command | undefined {
  const text = showCommand(name, args);
  if (name === 'rm') return { path: ['nested', 'rm'], flags: rmFlags(args), text };
  if (name === 'dd') {
    // dd's operands: `of=/dev/sda` writes over a device.
    const of = args.filter((a) => a.startsWith('of=')).at(-1)?.slice(3);
    return { path: ['nested', 'dd'], flags: new Map(of?.startsWith('/dev/') ? [['--to-device', [of]]] : []), text };
  }
  if (isSystemCommand(name)) return { path: ['nested', name.startsWith('mkfs') ? 'mkfs' : name], flags: new Map(), text };
  return undefined;
}

/**
 * Scratch space: every path under /tmp/, /var/tmp/ or an `.ansible/tmp/` directory (Ansible removes its
 * own with `rm -f -r` after each task). `..` anywhere, or the scratch directory itself, is not.
 */
const scratch = /^(?:\/tmp\/|\/var\/tmp\/|(?:~|\$HOME|\/[^\s]*)?\/?\.ansible\/tmp\/)[^\s]+$/;

/** rm's options, GNU getopt_long: clusters (`-rf`), long ones abbreviated (`--rec`), none after `--`. */
function rmFlags(args: readonly string[]): Map<string, string[]> {
  const flags = new Map<string, string[]>();
  const dash = args.indexOf('--');
  const paths = [...args.slice(0, dash === -1 ? undefined : dash).filter((a) => !a.startsWith('-') || a === '-'), ...(dash === -1 ? [] : args.slice(dash + 1))];
  if (paths.length > 0 && paths.every((p) => scratch.test(p) && !p.split('/').includes('..'))) flags.set('--scratch', ['']);
  for (const arg of args) {
    if (arg === '--') break;
    const recursive = arg.startsWith('--') ? arg.length >= 3 && '--recursive'.startsWith(arg) : /^-[^-]*[rR]/.test(arg);
    const force = arg.startsWith('--') ? arg.length >= 3 && '--force'.startsWith(arg) : /^-[^-]*f/.test(arg);
    if (recursive) flags.set('--recursive', ['']);
    if (force) flags.set('--force', ['']);
  }
  return flags;
}
