#!/usr/bin/env bash
# Fetch the public commits of commits.yaml into .cache/<owner>__<name> (never committed).
#
#   benchmarks/precision/fetch.sh                 # every public repository of commits.yaml
#   CACHE=/tmp/precision benchmarks/precision/fetch.sh
#   FILTER=blob:none benchmarks/precision/fetch.sh   # smaller clones; blobs are then fetched on demand
#
# Each repository is cloned once without a work tree (the reviewer reads commits, not files on
# disk); each listed commit is then fetched by SHA if the clone does not hold it (GitHub serves any
# reachable commit by SHA). A commit that cannot be had is reported and run.py skips it.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
suite="${SUITE:-$here/commits.yaml}"
cache="${CACHE:-$here/.cache}"
python="${PYTHON:-python3}"
filter_args=()
if [[ -n "${FILTER:-}" ]]; then
  filter_args=(--filter="$FILTER")
fi

mkdir -p "$cache"
missing=0
# "url sha" per public entry (PyYAML, as the reviewer itself needs it).
while read -r url sha; do
  [[ -z "$url" ]] && continue
  name="$(basename "$(dirname "$url")")__$(basename "${url%.git}")"
  dir="$cache/$name"
  if [[ ! -d "$dir/.git" ]]; then
    echo "clone $url -> $dir"
    git clone --quiet --no-checkout "${filter_args[@]}" "$url" "$dir"
  fi
  if ! git -C "$dir" cat-file -e "$sha^{commit}" 2>/dev/null; then
    echo "fetch $sha from $url"
    if ! git -C "$dir" fetch --quiet "${filter_args[@]}" origin "$sha"; then
      echo "  cannot fetch $sha: run.py will skip it" >&2
      missing=$((missing + 1))
      continue
    fi
  fi
  if ! git -C "$dir" cat-file -e "$sha^^{commit}" 2>/dev/null; then
    echo "  $sha has no parent here (root or shallow): run.py will skip it" >&2
  fi
done < <("$python" - "$suite" <<'EOF'
import sys
import yaml

with open(sys.argv[1], encoding="utf-8") as handle:
    data = yaml.safe_load(handle) or {}
for entry in data.get("public") or []:
    print(entry["repo"], entry["commit"])
EOF
)
echo "done: $cache ($missing commit(s) could not be fetched)"
