#!/usr/bin/env bash
# Vendors the dagre graph-layout library into the web console's assets.
#
# Fetches the pinned @dagrejs/dagre release with `npm pack` (the npm
# registry's own tarball, checked by npm against its integrity hash), copies
# its browser build dist/dagre.min.js and its LICENSE next to the console's
# assets, and records the version and checksums in vendor/README.md. The
# console loads the file with a classic <script> tag: it is an IIFE that
# defines the global `dagre` (graphlib bundled inside), no network at run
# time, no eval, so it runs under the console's Content-Security-Policy.
#
# Re-run after changing VERSION; commit the three files it writes.
set -euo pipefail

VERSION=3.1.3
PKG=@dagrejs/dagre

cd "$(dirname "$0")/.."
dest=engine/console/assets/vendor
mkdir -p "$dest"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "$PKG@$VERSION" >pack.out)
tgz="$tmp/$(tail -n1 "$tmp/pack.out")"
tar -xzf "$tgz" -C "$tmp"

src="$tmp/package"
got=$(node -e 'process.stdout.write(require(process.argv[1]).version)' "$src/package.json")
if [ "$got" != "$VERSION" ]; then
  echo "vendor-dagre: npm gave version $got, want $VERSION" >&2
  exit 1
fi
if ! head -c 200 "$src/dist/dagre.min.js" | grep -q 'var dagre='; then
  echo "vendor-dagre: dist/dagre.min.js no longer defines the global dagre; check how it exposes itself" >&2
  exit 1
fi

cp "$src/dist/dagre.min.js" "$dest/dagre.min.js"
cp "$src/LICENSE" "$dest/dagre.LICENSE"

tgz_sha=$(sha256sum "$tgz" | cut -d' ' -f1)
js_sha=$(sha256sum "$dest/dagre.min.js" | cut -d' ' -f1)
lic_sha=$(sha256sum "$dest/dagre.LICENSE" | cut -d' ' -f1)
integrity=$(cd "$tmp" && npm view --silent "$PKG@$VERSION" dist.integrity 2>/dev/null || true)

cat >"$dest/README.md" <<MD
# Vendored third-party code

Written by \`scripts/vendor-dagre.sh\`; do not edit by hand.

| file | from | version | sha256 |
| --- | --- | --- | --- |
| dagre.min.js | npm \`$PKG\`, \`dist/dagre.min.js\` | $VERSION | \`$js_sha\` |
| dagre.LICENSE | npm \`$PKG\`, \`LICENSE\` (MIT) | $VERSION | \`$lic_sha\` |

- npm tarball \`$(basename "$tgz")\` sha256: \`$tgz_sha\`
- npm integrity: \`${integrity:-unknown}\`

dagre lays out the task graphs (layered DAG layout); graphlib is bundled in
the file. It defines the global \`dagre\` when loaded with a classic
\`<script src="/vendor/dagre.min.js">\`; the console's \`graph.js\` reads
\`window.dagre\`. The file's last line names a source map that is not
vendored (browsers fetch it only with developer tools open).

To upgrade: change \`VERSION\` in \`scripts/vendor-dagre.sh\`, run it, check
the console's graphs, commit the three files.
MD

echo "vendored $PKG@$VERSION: $dest/dagre.min.js sha256 $js_sha"
