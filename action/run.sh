#!/usr/bin/env bash
# The action's check: a dry run of napi-fix on $PATHS (nothing is written),
# once as JSON for the counts and the summary, once in the format asked for.
# napi-fix's exit status is a result, not a failure of this step: it becomes
# the step's `exit-code` output, and verdict.sh decides by `fail-on`.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${RUNNER_TEMP:?RUNNER_TEMP is set by the runner}/napi-fix"
mkdir -p "$out"
read -r -d '' -a paths <<< "${PATHS:-.}" || true  # spaces or newlines between paths
[ "${#paths[@]}" -gt 0 ] || paths=(.)
python="$(dirname "$(command -v napi-fix)")/python"
common=(--dry-run --strategy "${STRATEGY:-pin}" --pin "${PIN:-upgrade}")

napi-fix "${common[@]}" --format json -- "${paths[@]}" > "$out/report.json"
status=$?
case "${FORMAT:-github}" in
  sarif)
    napi-fix "${common[@]}" --format sarif -- "${paths[@]}" > "$out/napi-fix.sarif"
    echo "sarif-file=$out/napi-fix.sarif" >> "$GITHUB_OUTPUT" ;;
  github) napi-fix "${common[@]}" --format github -- "${paths[@]}" ;;
  text) napi-fix "${common[@]}" -- "${paths[@]}" ;;
  *)
    echo "::error title=napi-fix::format must be sarif, github or text, not '${FORMAT}'"
    status=2 ;;
esac
"$python" "$here/summary.py" "$out/report.json" "$status" "$GITHUB_OUTPUT" >> "${GITHUB_STEP_SUMMARY:-/dev/null}"
echo "exit-code=$status" >> "$GITHUB_OUTPUT"
