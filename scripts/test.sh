#!/usr/bin/env bash
# Runs every check CI runs: formatting, vet, the race-enabled test suite,
# the examples, and a short smoke run of each fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== go test -race"
go test -race -count=1 ./...

echo "== examples validate and pass their tests"
go run ./cmd/playbook validate -q playbooks/*.yaml playbooks/lib/*.yaml  # serve.yaml too
go run ./cmd/playbook test playbooks

echo "== fuzz smoke (${FUZZTIME:=10s} per target)"
fuzz() { go test -run='^$' -fuzz="^$1\$" -fuzztime="$FUZZTIME" "$2"; }
fuzz FuzzLoad ./engine/playbook
fuzz FuzzCompile ./engine
fuzz FuzzCompile ./engine/jsonpath
fuzz FuzzLoadTestFile ./engine/pbtest
fuzz FuzzTemplate ./engine/eval
fuzz FuzzCompileCEL ./engine/eval
fuzz FuzzCompileExpr ./engine/eval
fuzz FuzzParse ./engine/connections
fuzz FuzzHandler ./actions/cortexxdr/fake
fuzz FuzzHandler ./actions/wiz/fake
fuzz FuzzSearch ./engine/intake
fuzz FuzzParse ./engine/serve
fuzz FuzzOpen ./engine/temporal/blob
echo "all checks passed"
