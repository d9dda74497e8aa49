#!/usr/bin/env bash
# The action's first step: napi-fix from the action's own checkout (the folder
# above this script), in a virtual environment of its own, put on PATH for the
# job's later steps. No PyPI release is needed. A virtual environment that
# already holds exactly this checkout's napi-fix (a runner whose temp folder
# outlives a job, a second use of the action in one job) is used as it is.
set -euo pipefail
checkout="$(cd "$(dirname "$0")/.." && pwd)"
venv="${RUNNER_TEMP:?RUNNER_TEMP is set by the runner}/napi-fix-venv"
stamp="$venv/.napi-fix-source"
source_hash="$(cd "$checkout" && find pyproject.toml LICENSE README.md codemod queries -type f ! -name '*.pyc' -print0 \
  | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-32)"
if [ ! -x "$venv/bin/napi-fix" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$source_hash" ]; then
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$checkout"
  echo "$source_hash" > "$stamp"
fi
echo "$venv/bin" >> "${GITHUB_PATH:?GITHUB_PATH is set by the runner}"
"$venv/bin/napi-fix" --version
