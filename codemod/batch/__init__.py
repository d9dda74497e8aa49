"""napi-fix batch: the same analysis, plan and write as `napi-fix PATH`,
over many git repositories, with one worker pool for the whole batch.

inputs -> clones -> worktrees -> repo (engine plan, apply, commit, push)
-> ledger and report. cli.py parses the command line; run.py drives.
"""
