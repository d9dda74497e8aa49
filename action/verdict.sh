#!/usr/bin/env bash
# The action's last step: fail the job by `fail-on` and napi-fix's exit-code
# table (codemod/results.py; `napi-fix --help` prints it). Runs after the
# SARIF upload, so the alerts are uploaded whatever the verdict.
set -euo pipefail
code="${EXIT_CODE:-2}"  # no exit code: the check step did not finish
case "${FAIL_ON:-leak}" in
  never) exit 0 ;;
  leak) failing="1 2" ;;
  pending) failing="1 2 3" ;;
  *) echo "::error title=napi-fix::fail-on must be leak, pending or never, not '${FAIL_ON}'"; exit 1 ;;
esac
# The status's meaning is the exit-code table's own (codemod/results.py),
# written by summary.py as the check step's `meaning` output.
if [ -z "${EXIT_CODE:-}" ]; then meaning="the check step did not finish"
else meaning="${MEANING:-no meaning written (see the log of the check step)}"; fi
for failing_code in $failing; do
  if [ "$code" = "$failing_code" ]; then
    echo "::error title=napi-fix::exit $code: $meaning (fail-on: ${FAIL_ON:-leak})"
    exit 1
  fi
done
echo "napi-fix: exit $code: $meaning (fail-on: ${FAIL_ON:-leak})"
