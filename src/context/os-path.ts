// A path as the kernel will resolve it, for every reader that opens a file a tool will open.
//
// node:path's resolve() and join() are text: they drop `dir/..` pairs. The kernel does not: it follows
// `dir` first, and when `dir` is a symbolic link, `..` is the parent of the link's target. So with
// `dirlink -> /srv/prod/kube`, `KUBECONFIG=dirlink/../dev-config` names /srv/prod/dev-config to kubectl
// and ./dev-config to path.resolve: a reader that resolves as text reads a file the tool never opens.
//
// resolvePath() has path.resolve's signature and gives the same string whenever the text has no `..`
// or `.` component and no final `/` (symbolic links elsewhere change nothing there: the kernel follows
// them when the file is opened, and what is shown stays the path as written). Otherwise the part up to
// the last of them is resolved by realpath(3) (libuv's, the kernel's own walk; Node's JavaScript
// realpathSync normalises the text first, the very thing to avoid), and the rest is appended. When that part
// cannot be resolved (a component missing, a file where a directory is needed, a loop, no permission)
// the tool cannot open the path either: the text comes back as written, without normalising, so opening
// it fails the same way (a missing file, or the EnvironmentFault of an unreadable one).

import { realpathSync } from 'node:fs';
import { resolve as lexicalResolve } from 'node:path';

/** path.resolve(...paths), but a `..` is the parent the kernel finds, through symbolic links. */
export function resolvePath(...paths: string[]): string {
  let joined = '';
  for (let i = paths.length - 1; i >= 0 && !joined.startsWith('/'); i--) {
    if (paths[i] === '') continue;
    joined = joined === '' ? paths[i] : `${paths[i]}/${joined}`;
  }
  if (!joined.startsWith('/')) joined = `${process.cwd()}/${joined}`;
  const parts = joined.split('/');
  // `.` and a final `/` drop out of the text too, and the kernel asks a directory of the name before
  // them (`file/.` is ENOTDIR): they are resolved like `..`.
  const last = joined.length > 1 && joined.endsWith('/') ? parts.length - 1 : Math.max(parts.lastIndexOf('..'), parts.lastIndexOf('.'));
  if (last === -1) return lexicalResolve(joined);
  const head = parts.slice(0, last + 1).join('/');
  let real: string;
  try {
    real = realpathSync.native(head);
  } catch {
    return joined; // the kernel cannot resolve it either; the text, unnormalised, fails to open alike
  }
  return lexicalResolve(real, ...parts.slice(last + 1).filter((p) => p !== ''));
}
