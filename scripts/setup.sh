#!/usr/bin/env bash
# Idempotent set-up: system packages (ngspice, the KLayout application), a Python >= 3.12
# virtualenv, the project in it.
# Exit 2 when something is missing that this script may not install itself.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
STAMP="$VENV/.setup-stamp"

# on a terminal a heartbeat line is rewritten in place; every other message clears it first
say() { [[ -t 2 ]] && printf '\r\033[K' >&2; printf 'setup: %s\n' "$*" >&2; }
beat() {
    if [[ -t 2 ]]; then printf '\r\033[Ksetup: %s' "$*" >&2; else say "$*"; fi
}

need_apt=()
command -v ngspice >/dev/null 2>&1 || need_apt+=(ngspice)
# the KLayout application runs external sign-off decks (checks.*.external); the Python module
# from PyPI does the built-in DRC/LVS. Debian's package (0.28.x) runs headless with -b.
command -v klayout >/dev/null 2>&1 || need_apt+=(klayout)
if ! ldconfig -p 2>/dev/null | grep -q 'libngspice\.so '; then
    ls /usr/lib/*/libngspice.so >/dev/null 2>&1 || need_apt+=(libngspice0-dev)
fi
if ((${#need_apt[@]})); then
    cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${need_apt[*]}"
    if [[ $(id -u) -ne 0 ]]; then
        say "missing system packages: ${need_apt[*]}"
        say "run as root:  $cmd"
        exit 2
    fi
    say "installing ${need_apt[*]}"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >&2
fi

version_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

find_python() {
    local c
    for c in python3.13 python3.12; do
        if command -v "$c" >/dev/null 2>&1 && version_ok "$c"; then command -v "$c"; return; fi
    done
    if command -v pyenv >/dev/null 2>&1; then
        c=$(pyenv which python3 2>/dev/null || true)   # honours .python-version
        if [[ -n $c ]] && version_ok "$c"; then echo "$c"; return; fi
    fi
    for c in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 /usr/bin/python3 /usr/local/bin/python3; do
        if [[ -x $c ]] && version_ok "$c"; then echo "$c"; return; fi
    done
    return 1
}

want=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [[ -x $VENV/bin/python ]] && version_ok "$VENV/bin/python" && [[ -f $STAMP ]] \
        && [[ $(cat "$STAMP") == "$want" ]]; then
    exit 0
fi

if ! [[ -x $VENV/bin/python ]] || ! version_ok "$VENV/bin/python"; then
    py=$(find_python) || { say "no Python >= 3.12 found (tried python3.13, python3.12, pyenv, ~/.pyenv/versions)"; exit 2; }
    say "creating .venv with $py ($("$py" --version 2>&1))"
    rm -rf "$VENV"
    "$py" -m venv "$VENV"
fi
# pip, quiet; a machine whose pip configuration names index folders that do not exist makes
# pip warn once per folder and package (hundreds of lines): those become one line
IGNORED="^WARNING: Location '.*' is ignored: it is neither a file nor a directory\.\?$"
pip_quiet() {
    local err status=0 ignored
    err=$("$VENV/bin/python" -m pip -q "$@" 2>&1 >/dev/null) || status=$?
    ignored=$(grep -c "$IGNORED" <<<"$err" || true)
    grep -v "$IGNORED" <<<"$err" | sed '/^$/d' >&2 || true
    if ((ignored)); then
        say "(pip: $ignored warnings about index folders that this machine's pip configuration" \
            "names but that do not exist; see: pip config list)"
    fi
    return "$status"
}

say "installing the project and its pinned tools into .venv (first run takes a few minutes)"
started=$SECONDS
( while sleep 10; do beat "... still installing ($((SECONDS - started)) s)"; done ) &
heartbeat=$!
trap 'kill "$heartbeat" 2>/dev/null || true' EXIT
pip_quiet install --upgrade pip
pip_quiet install -e ".[dev]"
kill "$heartbeat" 2>/dev/null || true
echo "$want" > "$STAMP"
say "ready in $((SECONDS - started)) s"
