#!/usr/bin/env bash
# Contract guard (`npm run contract`; CI runs it from .ci/run and .github/workflows/ci.yml). Fails when
#   1. schema.graphql differs from what `npm run schema` prints from the type-graphql classes;
#   2. generated clients (web/src/lib/graphql/generated, api/examples/generated) differ from what
#      `npm run codegen` writes;
#   3. schema.graphql breaks clients (graphql-inspector diff) against the previous commit: HEAD^1, which is
#      the commit before on main and the base branch's tip in a pull request's merge commit. Set
#      CONTRACT_BASE=<rev> to compare with another commit (e.g. origin/main).
#
# Acknowledging a breaking change: a line
#     BREAKING-SCHEMA: <what breaks, and why clients can live with it>
# in the message of HEAD's commit (when HEAD is a merge commit, such as GitHub's pull-request merge,
# in its second parent's message too). The breaking changes are then printed and accepted. Dangerous
# and safe changes are printed and never fail.
#
# With no previous commit (first commit, or a shallow clone that cannot be deepened) or no schema.graphql
# in it, check 3 is skipped with a notice. 1 and 2 regenerate the files in place and compare them with
# the working tree as it was, so they leave the regenerated files behind for you to commit.
set -euo pipefail
cd "$(dirname "$0")/.."

GENERATED=(schema.graphql web/src/lib/graphql/generated api/examples/generated)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# 1 and 2: regenerate, then compare with the files as they were.
mkdir -p "$tmp/before"
for path in "${GENERATED[@]}"; do
  mkdir -p "$tmp/before/$(dirname "$path")"
  cp -R "$path" "$tmp/before/$path"
done
npm run --silent schema >/dev/null
npm run --silent codegen >/dev/null
for path in "${GENERATED[@]}"; do
  if ! diff -r -q "$tmp/before/$path" "$path" >/dev/null; then
    echo "contract: $path is out of date; run \`npm run schema && npm run codegen\` and commit the result:"
    diff -r -u "$tmp/before/$path" "$path" | head -n 60 | cut -c 1-240 || true
    failed=1
  fi
done
[ "$failed" = 0 ] && echo "contract: schema.graphql and the generated clients are up to date"

# 3: breaking changes against the previous commit.
base="${CONTRACT_BASE:-HEAD^1}"
if ! git rev-parse -q --verify "$base^{commit}" >/dev/null && [ "$(git rev-parse --is-shallow-repository)" = true ]; then
  git fetch -q --deepen=1 2>/dev/null || true
fi
if ! git rev-parse -q --verify "$base^{commit}" >/dev/null; then
  echo "contract: no commit $base to compare with (first commit or shallow clone); breaking-change check skipped"
elif ! git show "$base:schema.graphql" >"$tmp/base.graphql" 2>/dev/null; then
  echo "contract: $base has no schema.graphql; breaking-change check skipped"
else
  label="$(git rev-parse --short "$base^{commit}")"
  if out=$(node_modules/.bin/graphql-inspector diff "$tmp/base.graphql" "$tmp/before/schema.graphql" 2>&1); then
    echo "contract: no breaking change to schema.graphql against $label"
    echo "$out" | grep -E '^\s*(⚠|✔)' || true
  else
    echo "$out"
    messages=$(git log -1 --format=%B HEAD; if git rev-parse -q --verify 'HEAD^2' >/dev/null; then git log -1 --format=%B 'HEAD^2'; fi)
    if ! echo "$out" | grep -q 'breaking change'; then
      echo "contract: graphql-inspector could not compare schema.graphql with $label"
      failed=1
    elif echo "$messages" | grep -qE '^BREAKING-SCHEMA:[[:space:]]*[^[:space:]]'; then
      echo "contract: breaking change(s) against $label acknowledged by the commit message:"
      echo "$messages" | grep -E '^BREAKING-SCHEMA:' | sed 's/^/  /'
    else
      echo "contract: schema.graphql breaks clients against $label (above). If that is intended, say so in the"
      echo "          commit message with a line 'BREAKING-SCHEMA: <what breaks and why>' (see scripts/check-contract.sh)."
      failed=1
    fi
  fi
fi
exit "$failed"
