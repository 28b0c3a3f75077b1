#!/usr/bin/env bash
# The step of the GitHub Action (action.yml): `prompt-ladder eval` through npx with the action's inputs, the
# Markdown summary and the JSON run records in the runner's temp folder, then the action's outputs. The inputs
# arrive as environment variables (never spliced into the script), so a file name cannot run shell code.
#   PL_FILES          prompt files or glob patterns (** included), separated by spaces or new lines (required)
#   PL_BASELINE       --baseline REF (empty: none)
#   PL_FAIL_ON        --fail-on (empty: the CLI's default; in CI with a baseline that is `regression`)
#   PL_REPEAT         --repeat N (empty or 1: once)
#   PL_MIN_PASS_RATE  --min-pass-rate R (empty: none)
#   PL_ARGS           more CLI options, split on spaces
#   PL_PACKAGE        what npx installs (default: prompt-ladder@latest; a tarball path works too)
# Outputs (to $GITHUB_OUTPUT, else printed): pass-rate (passed results / all results, 0..1), summary-path, exit-code.
set -uo pipefail

if [[ -z "${PL_FILES// /}" ]]; then
  echo "prompt-ladder action: the input 'files' is empty" >&2
  exit 2
fi
out_dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/prompt-ladder-$$"
mkdir -p "$out_dir"
summary="$out_dir/summary.md"
json="$out_dir/runs.json"

read -r -d '' -a patterns <<<"$PL_FILES" || true
shopt -s globstar nullglob
files=()
for pattern in "${patterns[@]}"; do
  # shellcheck disable=SC2206 # the pattern is expanded on purpose (it holds no spaces: they split the input)
  matches=($pattern)
  if [[ ${#matches[@]} -eq 0 ]]; then
    echo "prompt-ladder action: no file matches '$pattern'" >&2
    exit 2
  fi
  files+=("${matches[@]}")
done
shopt -u globstar nullglob

args=(eval "${files[@]}" --md "$summary" --json "$json")
[[ -n "${PL_BASELINE:-}" ]] && args+=(--baseline "$PL_BASELINE")
[[ -n "${PL_FAIL_ON:-}" ]] && args+=(--fail-on "$PL_FAIL_ON")
[[ -n "${PL_REPEAT:-}" && "${PL_REPEAT}" != "1" ]] && args+=(--repeat "$PL_REPEAT")
[[ -n "${PL_MIN_PASS_RATE:-}" ]] && args+=(--min-pass-rate "$PL_MIN_PASS_RATE")
if [[ -n "${PL_ARGS:-}" ]]; then
  read -r -a extra <<<"$PL_ARGS"
  args+=("${extra[@]}")
fi

CI=true npx --yes --package="${PL_PACKAGE:-prompt-ladder@latest}" -- prompt-ladder "${args[@]}"
code=$?

rate=""
if [[ -f "$json" ]]; then
  rate=$(node -e '
    const data = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    let passed = 0, all = 0;
    for (const run of Array.isArray(data) ? data : [data])
      for (const v of run.variants) { passed += v.passed; all += v.passed + v.failed + v.errors; }
    process.stdout.write(all ? (passed / all).toFixed(4) : "");
  ' "$json")
fi
{
  echo "pass-rate=$rate"
  echo "summary-path=$([[ -f "$summary" ]] && echo "$summary")"
  echo "exit-code=$code"
} >>"${GITHUB_OUTPUT:-/dev/stdout}"
exit "$code"
