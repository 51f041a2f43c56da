#!/usr/bin/env bash
# Install the real VS Code (code-server npm package) + headless Chromium for vsim's integration tests.
# Idempotent; run as root. Everything lands in the git-ignored .vscode-test/ (nothing in the host's /tmp).
# See ../shared/notes/real-vscode-tests.md (project notes) for why each step is needed.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/../.." && pwd)"
CS_VERSION="4.100.3"
VT="$REPO/.vscode-test"
CS_DIR="$VT/code-server"
MARKER="$CS_DIR/.installed-$CS_VERSION"

log() { printf '[install-code-server] %s\n' "$*"; }

if [[ -f "$MARKER" && -x "$CS_DIR/node_modules/.bin/code-server" ]] \
   && command -v chromium >/dev/null && command -v rg >/dev/null && dpkg -s libkrb5-dev >/dev/null 2>&1; then
  log "already installed (code-server $CS_VERSION): $CS_DIR"
  exit 0
fi

if [[ "$(id -u)" != 0 ]]; then
  echo "install-code-server.sh must run as root (apt + code-server postinstall)" >&2
  exit 1
fi

# 1. Debian packages (skip those already present).
need=()
for p in libkrb5-dev ripgrep chromium; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if ((${#need[@]})); then
  log "apt install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "${need[@]}"; then
    apt-get -o DPkg::Lock::Timeout=900 update
    apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "${need[@]}"
  fi
fi

# 2. code-server into its own folder with its own tiny package.json.
mkdir -p "$CS_DIR"
export TMPDIR="$VT/tmp"
mkdir -p "$TMPDIR"
cat > "$CS_DIR/package.json" <<JSON
{
  "name": "vsim-code-server",
  "private": true,
  "description": "The real VS Code (code-server) used by vsim's integration tests; see test/harness/README.md",
  "dependencies": { "code-server": "$CS_VERSION" }
}
JSON

# @vscode/ripgrep's postinstall downloads from GitHub: pre-seed its cache with Debian's rg.
rgcache="$TMPDIR/vscode-ripgrep-cache-1.15.11"
rgtar="$rgcache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [[ ! -s "$rgtar" ]]; then
  mkdir -p "$rgcache" "$TMPDIR/rg-stage"
  cp /usr/bin/rg "$TMPDIR/rg-stage/rg"
  tar czf "$rgtar" -C "$TMPDIR/rg-stage" rg
fi

log "npm install code-server@$CS_VERSION (cold: about a minute; noise about prebuilt binaries and unsafe-perm is expected)"
start=$(date +%s)
(
  cd "$CS_DIR"
  export npm_config_unsafe_perm=true npm_config_yes=true npm_config_nodedir=/usr
  export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
  # Build tools' XDG caches stay inside .vscode-test too (npm keeps its usual ~/.npm cache).
  export XDG_CACHE_HOME="$VT/xdg/cache"
  npm install --no-package-lock --omit=dev
)
"$CS_DIR/node_modules/.bin/code-server" --version >/dev/null
touch "$MARKER"
log "installed in $(( $(date +%s) - start )) s: $CS_DIR ($(du -sh "$CS_DIR" | cut -f1))"
