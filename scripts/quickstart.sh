#!/bin/sh
# Set nodenet up on Debian or Ubuntu, as root or as a normal user, then run the demo:
#   sh scripts/quickstart.sh
# 1. the system packages: Python's venv module, Graphviz (diagrams) and, unless NODENET_NO_BROWSER=1,
#    Chromium with its driver (about 290 MB; only the lab's browser tests use them, and they skip without);
#    installed with apt-get, through sudo for a normal user, and skipped when they are all there already;
# 2. a virtual environment ./.venv (Debian's own pip refuses system-wide installs, PEP 668) holding
#    nodenet and its test tools (pip install -e ".[test]");
# 3. the demo: .venv/bin/nodenet demo writes the chapter's pictures and lab into ./nodenet-demo.
# Then: .venv/bin/python -m pytest runs the tests.
set -eu
cd "$(dirname "$0")/.."

# what is missing, by what this machine can do (a Python from elsewhere, e.g. pyenv, is fine)
missing=""
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || missing="$missing python3-venv"
command -v dot >/dev/null 2>&1 || missing="$missing graphviz"
if [ "${NODENET_NO_BROWSER:-0}" != 1 ]; then
    command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
    command -v chromedriver >/dev/null 2>&1 || missing="$missing chromium-driver"
fi
if [ -n "$missing" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        run=""
    elif command -v sudo >/dev/null 2>&1; then
        run="sudo"
    else
        echo "quickstart: these Debian packages are missing:$missing" >&2
        echo "quickstart: ask an administrator to run: apt-get install -y$missing (or run this script as root)" >&2
        exit 1
    fi
    echo "quickstart: installing$missing"
    $run env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing > /dev/null  # errors still reach stderr
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
.venv/bin/nodenet demo
