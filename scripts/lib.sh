# shellcheck shell=bash
# Helpers shared by the scripts in this folder. Sourced, never run.
set -euo pipefail

AERIE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export AERIE_ROOT
# Everything the scripts start or cache lives here, outside the work tree.
AERIE_STATE="${AERIE_STATE:-/var/tmp/aerie-dev}"
mkdir -p "$AERIE_STATE"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root for: $*"; fi
}

# apt_install PKG...: installs the Debian packages that are not installed yet.
APT_UPDATED=0
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  if [ "$APT_UPDATED" -eq 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND until it succeeds or the deadline passes.
wait_for() {
  local secs="$1" what="$2"; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -ge "$deadline" ] && die "timed out after ${secs}s waiting for $what"
    sleep 0.5
  done
}

# The Debian mirror this machine's apt already uses (never a hard-coded host).
debian_mirror() {
  local m=""
  if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
    m=$(awk '/^URIs:/ {print $2}' /etc/apt/sources.list.d/*.sources | grep -v -- '-security' | head -n1 || true)
  fi
  if [ -z "$m" ] && [ -f /etc/apt/sources.list ]; then
    m=$(awk '$1=="deb" && $0 !~ /security/ {for(i=2;i<=NF;i++) if ($i ~ /^(https?|ftp):/) {print $i; exit}}' /etc/apt/sources.list || true)
  fi
  [ -n "$m" ] || die "could not read a Debian mirror from /etc/apt/sources.list*"
  echo "$m"
}

ensure_rust() {
  command -v cargo >/dev/null || die "cargo not found: install Rust (https://rustup.rs) first"
}

ensure_node() {
  if ! command -v npm >/dev/null; then apt_install nodejs npm; fi
}

# build_web: installs the web UI's npm dependencies when package-lock.json changed, then
# builds web/dist (which the panel embeds at compile time).
build_web() {
  ensure_node
  local web="$AERIE_ROOT/web" stamp
  stamp=$(sha256sum "$web/package-lock.json" | cut -c1-16)
  if [ "$(cat "$web/node_modules/.aerie-stamp" 2>/dev/null)" != "$stamp" ]; then
    log "installing web dependencies (npm ci)"
    (cd "$web" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"
    echo "$stamp" >"$web/node_modules/.aerie-stamp"
  fi
  log "building the web UI"
  (cd "$web" && npm run --silent build >"$AERIE_STATE/web-build.log" 2>&1) \
    || { cat "$AERIE_STATE/web-build.log" >&2; die "web build failed"; }
}

ensure_nextest() {
  if ! cargo nextest --version >/dev/null 2>&1; then
    log "installing cargo-nextest"
    cargo install --locked cargo-nextest >/dev/null
  fi
}
