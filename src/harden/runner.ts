// The privileged runner: the one setgid file `chaperone harden` installs. Its source is here, compiled
// on the machine at harden time (cc), so what runs with the group is these forty lines and nothing
// downloaded.
//
// Why setgid to a group, not setuid to root or a user: the only power needed is to execute the real
// tools (root:GROUP 0750) and to write root's store (root:GROUP 0770); a group gives exactly that, and
// a bug in the runner gives no more. Why a C file: the kernel ignores setgid on scripts, and Node has
// no way to be started setgid safely. Why it passes the caller's environment under a prefix: Node reads
// NODE_OPTIONS, NODE_PATH, OPENSSL_CONF and friends at start-up, each a way to run the caller's code
// with the group. Node already ignores most of them when its real and effective group differ, as here;
// renamed, none of them can reach Node whatever a Node version decides, and they still reach the
// decision (which must see them: PGHOST, AWS_PROFILE…) and the tool (which gets them untouched).
//
// The runner decides nothing and trusts nothing it is told: it starts the fixed Node binary on the
// fixed, root-owned copy of chaperone, which judges the call again from scratch (src/harden/run.ts).

export function runnerSource(node: string, entry: string): string {
  for (const path of [node, entry]) {
    if (!/^\/[\w./+-]+$/.test(path)) throw new Error(`the runner can only be built for a plain absolute path, not ${JSON.stringify(path)}`);
  }
  return `/* chaperone-run: written and compiled by \`chaperone harden\` (src/harden/runner.ts). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

#define NODE "${node}"
#define ENTRY "${entry}"
#define PREFIX "CHAPERONE_CALLER_"

static int plain_name(const char *s) {
  if (*s == '\\0' || *s == '.' || *s == '-') return 0;
  for (; *s; s++) {
    char c = *s;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) return 0;
  }
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2 || !plain_name(argv[1])) {
    fputs("chaperone-run: usage: chaperone-run TOOL [ARG...]\\n", stderr);
    return 2;
  }
  size_t n = 0;
  for (char **e = environ; *e; e++) n++;
  char **env = calloc(n + 2, sizeof *env);
  char **args = calloc((size_t)argc + 3, sizeof *args);
  if (!env || !args) return 126;
  size_t k = 0;
  env[k++] = "PATH=/usr/bin:/bin";
  for (char **e = environ; *e; e++) {
    size_t len = strlen(PREFIX) + strlen(*e) + 1;
    char *v = malloc(len);
    if (!v) return 126;
    snprintf(v, len, "%s%s", PREFIX, *e);
    env[k++] = v;
  }
  env[k] = NULL;
  args[0] = NODE;
  args[1] = ENTRY;
  args[2] = "--hardened";
  for (int i = 1; i < argc; i++) args[i + 2] = argv[i];
  args[argc + 2] = NULL;
  execve(NODE, args, env);
  perror("chaperone-run: " NODE);
  return 126;
}
`;
}

/**
 * The second file, which starts the real tool: `chaperone-exec PATH ARGV0 ARGS…`, setgid to the tools'
 * group, in a directory only the runner's group may enter. Two groups, because a running tool holds the
 * group it was started with: had it the runner's, `psql -o` or `aws s3 cp` could write the approval
 * store and `psql -f` send the PIN's hash to a server of the agent's. Executed by the decision (which has
 * the runner's group), it swaps that group for the tools' group and becomes the tool; the tool then has
 * the tools' group only, which runs real tools and opens nothing of chaperone's.
 */
export function execSource(): string {
  return `/* chaperone-exec: written and compiled by \`chaperone harden\` (src/harden/runner.ts). */
#include <stdio.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
  if (argc < 3 || argv[1][0] != '/') {
    fputs("chaperone-exec: usage: chaperone-exec /PATH ARGV0 [ARG...]\\n", stderr);
    return 2;
  }
  execve(argv[1], argv + 2, environ);
  perror("chaperone-exec");
  return 126;
}
`;
}
