#!/usr/bin/env bash
# The action's last step: fail the job by `fail-on` and napi-fix's exit-code
# table (0 nothing remains, 1 the leak remains or undecided, 2 a failure,
# 3 changes pending without a leak). Runs after the SARIF upload, so the
# alerts are uploaded whatever the verdict.
set -euo pipefail
code="${EXIT_CODE:-2}"  # no exit code: the check step did not finish
case "${FAIL_ON:-leak}" in
  never) exit 0 ;;
  leak) failing="1 2" ;;
  pending) failing="1 2 3" ;;
  *) echo "::error title=napi-fix::fail-on must be leak, pending or never, not '${FAIL_ON}'"; exit 1 ;;
esac
case "$code" in
  0) meaning="nothing remains" ;;
  1) meaning="the leak remains, or napi-fix could not decide" ;;
  2) meaning="bad input or a failure" ;;
  3) meaning="no leak, but changes are pending" ;;
  *) meaning="unexpected status" ;;
esac
for failing_code in $failing; do
  if [ "$code" = "$failing_code" ]; then
    echo "::error title=napi-fix::exit $code: $meaning (fail-on: ${FAIL_ON:-leak})"
    exit 1
  fi
done
echo "napi-fix: exit $code: $meaning (fail-on: ${FAIL_ON:-leak})"
