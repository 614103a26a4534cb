// The privileged runner: the one setgid file `chaperone harden` installs. Its source is here, compiled
// on the machine at harden time (cc), so what runs with the group is this short file and nothing
// downloaded. Once the decision has answered, the runner execs the tool's starter itself (as the sh shim
// does, src/shim/handoff.ts), so the tool keeps the caller's pid and gets its argv and environment bytes.
//
// Why setgid to a group, not setuid to root or a user: the only power needed is to reach root's copies
// of the real tools (in a root:GROUP 0750 directory) and to write root's store (root:GROUP 2770); a group
// gives exactly that, and a bug in the runner gives no more. Why a C file: the kernel ignores setgid on scripts, and Node has
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
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define NODE "${node}"
#define ENTRY "${entry}"
#define PREFIX "CHAPERONE_CALLER_"
#define ANSWER_MAX 65536

/* The tool's environment: the caller's own entries, byte for byte, with each NAME=VALUE of the
   decision's answer in place of the entry of that name, or added. */
static char **tool_environment(char *sets, size_t count) {
  size_t n = 0;
  for (char **e = environ; *e; e++) n++;
  char **out = calloc(n + count + 1, sizeof *out);
  if (!out) return NULL;
  size_t k = 0;
  for (char **e = environ; *e; e++) out[k++] = *e;
  char *set = sets;
  for (size_t i = 0; i < count; i++, set += strlen(set) + 1) {
    size_t name = strcspn(set, "=");
    size_t j = 0;
    for (; j < k; j++)
      if (strncmp(out[j], set, name + 1) == 0) break;
    out[j] = set;
    if (j == k) k++;
  }
  out[k] = NULL;
  return out;
}

/* Dies the way the decision did, or exits with its status. */
static int mirror(int status) {
  if (WIFSIGNALED(status)) {
    signal(WTERMSIG(status), SIG_DFL);
    raise(WTERMSIG(status));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 126;
}

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

  /* git keeps its decision as its parent: git's own calls are told apart by it (src/harden/git.ts).
     Every other tool is handed over: the decision answers on a pipe and exits, and this process
     becomes the tool, so the caller's pid, signals, argv and environment bytes are the tool's. */
  int fds[2];
  char flag[32];
  if (strcmp(argv[1], "git") == 0 || pipe(fds) != 0) {
    execve(NODE, args, env);
    perror("chaperone-run: " NODE);
    return 126;
  }
  snprintf(flag, sizeof flag, "--hardened=%d", fds[1]);
  args[2] = flag;
  pid_t pid = fork();
  if (pid < 0) {
    perror("chaperone-run: fork");
    return 126;
  }
  if (pid == 0) {
    close(fds[0]);
    execve(NODE, args, env);
    perror("chaperone-run: " NODE);
    _exit(126);
  }
  close(fds[1]);
  /* Like a shell waiting for its foreground job: Ctrl-C and Ctrl-\\ reach the decision from the terminal. */
  struct sigaction ignore, old_int, old_quit;
  memset(&ignore, 0, sizeof ignore);
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGINT, &ignore, &old_int);
  sigaction(SIGQUIT, &ignore, &old_quit);
  static char answer[ANSWER_MAX + 1];
  size_t got = 0;
  for (;;) {
    ssize_t r = read(fds[0], answer + got, ANSWER_MAX - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += (size_t)r;
    if (got == ANSWER_MAX) break;
  }
  answer[got] = '\\0';
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGQUIT, &old_quit, NULL);

  /* "exec\\nSTARTER\\nREAL\\n" then a NAME=VALUE line per variable to set; a decision that exited 0 and
     said so. Anything else: the decision ran the tool itself, or refused; mirror it. */
  if (got == ANSWER_MAX || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || strncmp(answer, "exec\\n", 5) != 0) {
    if (strncmp(answer, "signal ", 7) == 0 && WIFEXITED(status)) {
      int sig = atoi(answer + 7);
      if (sig > 0 && sig < 65) {
        signal(sig, SIG_DFL);
        raise(sig);
      }
    }
    return mirror(status);
  }
  char *fields[3] = {answer + 5, NULL, NULL};
  for (int f = 0; f < 2; f++) {
    char *end = strchr(fields[f], '\\n');
    if (!end) return 126;
    *end = '\\0';
    fields[f + 1] = end + 1;
  }
  size_t count = 0;
  for (char *p = fields[2]; *p; p++)
    if (*p == '\\n') {
      *p = '\\0';
      count++;
    }
  char **tool_env = tool_environment(fields[2], count);
  char **tool_args = calloc((size_t)argc + 2, sizeof *tool_args);
  if (!tool_env || !tool_args) return 126;
  tool_args[0] = fields[0];
  tool_args[1] = fields[1];
  for (int i = 1; i < argc; i++) tool_args[i + 1] = argv[i];
  tool_args[argc + 1] = NULL;
  execve(fields[0], tool_args, tool_env);
  perror("chaperone-run: the tool's starter");
  return 126;
}
`;
}

/**
 * The variables that load a caller's code into a program: the dynamic loader's, then the interpreters'
 * (Python, Node, Ruby, Perl, shells). chaperone-exec removes the loader's before a binary runs (code
 * inside it could start the binary's own image again, /proc/self/exe, unjudged); chaperone-script
 * removes all of them before a script runs with the scripts' group. The kernel's secure mode already
 * makes the loader, Node and Perl ignore most of these while a group is held, and bash drops the group;
 * Python honours its variables whatever the group, so the list is what closes it, and it is fixed here
 * rather than left to each interpreter's version.
 */
export const loaderVariables = ['LD_PRELOAD', 'LD_AUDIT', 'LD_LIBRARY_PATH', 'LD_ORIGIN_PATH', 'GCONV_PATH'];
export const interpreterVariables = [
  'PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP', 'PYTHONUSERBASE', 'PYTHONBREAKPOINT', 'PYTHONINSPECT', 'PYTHONPLATLIBDIR', 'PYTHONEXECUTABLE',
  'NODE_OPTIONS', 'NODE_PATH', 'NODE_REPL_EXTERNAL_MODULE',
  'RUBYOPT', 'RUBYLIB',
  'PERL5OPT', 'PERL5LIB', 'PERLLIB', 'PERL5DB',
  'BASH_ENV', 'ENV', 'SHELLOPTS', 'BASHOPTS',
];

function scrubber(names: string[]): string {
  return `static const char *const scrubbed[] = {${names.map((v) => `"${v}="`).join(', ')}, NULL};

static void scrub(void) {
  char **out = environ;
  for (char **e = environ; *e; e++) {
    int drop = 0;
    for (const char *const *v = scrubbed; *v; v++)
      if (strncmp(*e, *v, strlen(*v)) == 0) drop = 1;
    if (!drop) *out++ = *e;
  }
  *out = NULL;
}`;
}

/**
 * The file that starts a real binary: `chaperone-exec /COPY ARGV0 ARGS…`, a plain program in a
 * directory only the runner's group may enter, beside root's copies of the real binaries. The decision
 * (which has the runner's group) starts it; it opens the copy while it still has that group, drops
 * every group chaperone gave it (real, effective and saved become the caller's own), and executes the
 * open file (execveat on the descriptor). The kernel checks the copy's own mode at that point, and the
 * copy is executable by anyone: only the directory around it is closed, and the descriptor is already
 * past it. So the binary runs exactly as the caller would run it, holding nothing of chaperone's:
 * whatever it starts (a kubectl exec plugin, a terraform provider, a program of the agent's) cannot run
 * a real tool, read the PIN or write the store. The copy is 0711, executable and not readable: the
 * kernel then marks the process undumpable, so the caller cannot open /proc/PID/exe of a running tool to
 * run or copy it.
 */
export function execSource(): string {
  return `/* chaperone-exec: written and compiled by \`chaperone harden\` (src/harden/runner.ts). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

${scrubber(loaderVariables)}

int main(int argc, char **argv) {
  if (argc < 3 || argv[1][0] != '/') {
    fputs("chaperone-exec: usage: chaperone-exec /PATH ARGV0 [ARG...]\\n", stderr);
    return 2;
  }
  /* Opened while the runner's group still lets this process into the copies' directory. */
  int fd = open(argv[1], O_PATH | O_CLOEXEC);
  if (fd < 0) {
    perror("chaperone-exec: the real tool");
    return errno == ENOENT ? 127 : 126;
  }
  gid_t gid = getgid();
  if (setresgid(gid, gid, gid) != 0 || getegid() != gid) {
    perror("chaperone-exec: dropping chaperone's group");
    return 126;
  }
  scrub();
  syscall(SYS_execveat, fd, "", argv + 2, environ, AT_EMPTY_PATH);
  perror("chaperone-exec");
  return 126;
}
`;
}

/**
 * The file that starts a real script (#!, as Python's aws or an npm CLI's entry is):
 * `chaperone-script /ORIGINAL ARGV0 ARGS…`, setgid to the scripts' group, in the same closed directory.
 * A script runs from where it was installed (its interpreter finds the rest of its package beside it,
 * and reads it by path), so it cannot be run from a copy without a group: it is started in place, with
 * the scripts' group, which swaps out the runner's (a running tool can then never write the store or
 * read the PIN), and without the variables that would load the caller's code into its interpreter; a
 * shell script as `SHELL -p SCRIPT`, since a shell drops a group it was not started with. The scripts'
 * group reads the locked scripts and nothing else: what a script tool's own configuration starts
 * (credential_process, a CLI's plugin directory) can reach another locked script at most, never a
 * binary tool or root's copies (src/harden/scripts.ts).
 */
export function scriptSource(): string {
  return `/* chaperone-script: written and compiled by \`chaperone harden\` (src/harden/runner.ts). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

${scrubber([...loaderVariables, ...interpreterVariables])}

/* The interpreter a #! line names, and its one optional argument, as the kernel reads them. */
static int shebang(char *line, char **interp, char **opt) {
  if (line[0] != '#' || line[1] != '!') return 0;
  char *p = line + 2 + strspn(line + 2, " \\t");
  *interp = p;
  p += strcspn(p, " \\t\\n");
  *opt = NULL;
  if (*p == ' ' || *p == '\\t') {
    *p++ = '\\0';
    p += strspn(p, " \\t");
    size_t n = strcspn(p, "\\n");
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\\t')) n--;
    p[n] = '\\0';
    if (n > 0) *opt = p;
  } else {
    *p = '\\0';
  }
  return **interp == '/';
}

int main(int argc, char **argv) {
  if (argc < 3 || argv[1][0] != '/') {
    fputs("chaperone-script: usage: chaperone-script /PATH ARGV0 [ARG...]\\n", stderr);
    return 2;
  }
  scrub();
  /* sh, dash and bash drop a group they were not started with, and could then not read the locked
     script: they are started as the kernel would start them, with -p (privileged mode) first, which
     keeps the group and reads neither ENV nor BASH_ENV. */
  char line[256] = {0};
  char *interp, *opt;
  FILE *f = fopen(argv[1], "r");
  if (f && fgets(line, sizeof line, f) && shebang(line, &interp, &opt)) {
    const char *base = strrchr(interp, '/') + 1;
    if (strcmp(base, "sh") == 0 || strcmp(base, "dash") == 0 || strcmp(base, "bash") == 0) {
      char **args = calloc((size_t)argc + 3, sizeof *args);
      if (!args) return 126;
      int k = 0;
      args[k++] = interp;
      args[k++] = "-p";
      if (opt) args[k++] = opt;
      args[k++] = argv[1];
      for (int i = 3; i < argc; i++) args[k++] = argv[i];
      args[k] = NULL;
      fclose(f);
      execve(interp, args, environ);
      perror("chaperone-script");
      return 126;
    }
  }
  if (f) fclose(f);
  execve(argv[1], argv + 2, environ);
  perror("chaperone-script");
  return 126;
}
`;
}
