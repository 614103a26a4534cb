#!/bin/sh
# Dev Container Feature entry point: runs as root while the image is built. Installs chaperone with npm,
# writes the shims into a system-wide directory (containerEnv puts it first on PATH) and writes the agent
# hooks for the remote user.
#
# Every shell in the container counts as an agent's (containerEnv sets CHAPERONE_ACTOR=agent): nothing is
# confirmed at a prompt there, and a human approves from their own terminal with `chaperone approve`.
# A project that wants per-call detection sets "remoteEnv": { "CHAPERONE_ACTOR": "" }.
#
# Options arrive as variables (VERSION, TOOLS, AGENTS); the devcontainer CLI also sets
# _REMOTE_USER and _REMOTE_USER_HOME. PREFIX moves everything (for tests: a throwaway prefix).
set -eu

VERSION="${VERSION:-chaperone}"
TOOLS="${TOOLS:-all}"
AGENTS="${AGENTS:-claude,codex,gemini,copilot}"
PREFIX="${PREFIX:-/usr/local}"
SHIMS="$PREFIX/share/chaperone/shims"
PROFILE_D="${PROFILE_D:-/etc/profile.d}"

fail() { echo "chaperone feature: $*" >&2; exit 1; }

command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
  fail "needs Node.js 20 or later and npm; add the feature ghcr.io/devcontainers/features/node first"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
  fail "needs Node.js 20 or later; this image has $(node --version)"

echo "chaperone feature: npm install -g $VERSION (prefix $PREFIX)"
npm install -g --prefix "$PREFIX" --no-audit --no-fund "$VERSION"
chaperone="$PREFIX/bin/chaperone"
[ -x "$chaperone" ] || fail "npm did not install $chaperone"

# shellcheck disable=SC2086 # the tool list is words on purpose
if [ "$TOOLS" = all ]; then "$chaperone" install --dir "$SHIMS"; else "$chaperone" install --dir "$SHIMS" $(echo "$TOOLS" | tr ',' ' '); fi
chmod -R a+rX "$PREFIX/share/chaperone"

# Login shells outside containerEnv's reach (ssh, su -) get the same PATH and actor.
if [ -d "$PROFILE_D" ] || mkdir -p "$PROFILE_D" 2>/dev/null; then
  {
    echo '# chaperone: shims first on PATH (written by the chaperone dev container feature)'
    echo "case \":\$PATH:\" in *\":$SHIMS:\"*) ;; *) PATH=\"$SHIMS:\$PATH\" ;; esac"
    echo 'export CHAPERONE_ACTOR="${CHAPERONE_ACTOR-agent}"'
    echo 'export PATH'
  } > "$PROFILE_D/chaperone.sh"
fi

# The hooks live in the remote user's own files; write them as that user so they own them.
user="${_REMOTE_USER:-root}"
home="${_REMOTE_USER_HOME:-$(getent passwd "$user" | cut -d: -f6)}"
as_user() {
  if [ "$(id -un)" = "$user" ]; then HOME="$home" "$@"; else su -s /bin/sh "$user" -c "HOME='$home' $*"; fi
}
if [ "$AGENTS" != none ]; then
  for agent in $(echo "$AGENTS" | tr ',' ' '); do
    as_user "$chaperone" setup "$agent" --dir "$SHIMS" || fail "chaperone setup $agent failed for $user"
  done
fi

echo "chaperone feature: done. Shims in $SHIMS; hooks for $user: $AGENTS."
echo "chaperone feature: set an approval PIN once, in the container's terminal: CHAPERONE_ACTOR= chaperone pin set"
