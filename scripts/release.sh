#!/bin/bash
# make release: build the TypeScript once and pack what the box runs into one
# archive named with the version and the git commit:
#   build/releases/persomux-<version>-<commit>.tar.gz   (top folder: the same name)
# holding dist/, bin/, package.json, package-lock.json, firmware/, board/,
# README.md, dist/COMMIT (what `persomux --version` names) and release.json
# (name, version, commit, build time). The box
# installs the production dependencies from the lock file for its own
# architecture (npm ci --omit=dev, README "Updating a box").
# WITH_NODE_MODULES=1 also packs them, as installed in this checkout, for a box of
# this machine's platform (the deploy test uses it: an npm ci per release would
# cost it ~12 s; the box checks the platform before using them).
# TRANSPILE_ONLY=1 compiles with esbuild instead of tsc (no type-check; the deploy test).
# RELEASE_DIR (default build/releases) is where the archive goes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${RELEASE_DIR:-build/releases}
version=$(node -p 'require("./package.json").version')
commit=$(git rev-parse --short=12 HEAD)
# A tree with uncommitted changes is not the commit: say so in the name, and keep names unique.
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then commit="$commit-modified.$(date -u +%Y%m%d%H%M%S)"; fi
name=persomux-$version-$commit
stage=$out/.stage-$$
trap 'rm -rf "$stage"' EXIT
rm -rf "$stage" && mkdir -p "$stage/$name" && mkdir -p "$out"
echo "release: building $name"
if [ "${TRANSPILE_ONLY:-0}" = 1 ]; then
  # esbuild, file by file, without type-checking: for the deploy test, which runs after
  # `make test` has type-checked the same sources (tsc takes ~10x longer for the same files).
  find src -name '*.ts' ! -name '*.d.ts' -print0 |
    xargs -0 node_modules/.bin/esbuild --outdir="$stage/$name/dist" --outbase=src --format=esm --platform=node --target=node20 --log-level=warning
else
  npx tsc -p tsconfig.build.json --outDir "$stage/$name/dist"
fi
cp -R bin firmware board package.json package-lock.json README.md "$stage/$name/"
# What `persomux --version` names on the box, where there is no git (src/cli/version.ts).
echo "$commit" >"$stage/$name/dist/COMMIT"
node -e 'const [name, version, commit] = process.argv.slice(1); process.stdout.write(JSON.stringify({ name, version, commit, builtAt: new Date().toISOString(), node: require("./package.json").engines.node }, null, 2) + "\n")' \
  "$name" "$version" "$commit" >"$stage/$name/release.json"
if [ "${WITH_NODE_MODULES:-0}" = 1 ]; then
  # The production packages of the lock file (what `npm ci --omit=dev` installs), copied
  # from this checkout's install, whose native parts were built for this machine.
  echo "release: packing production dependencies built for $(node -p 'process.platform + "-" + process.arch')"
  node -e '
    const { cpSync, existsSync } = require("node:fs");
    const [stage] = process.argv.slice(1);
    const lock = require("./package-lock.json");
    for (const [path, entry] of Object.entries(lock.packages)) {
      const top = path.startsWith("node_modules/") && !path.slice(13).includes("node_modules/");
      if (!top || entry.dev) continue;
      if (!existsSync(path)) { if (entry.optional) continue; throw new Error(`${path} is in the lock file but not installed: run make deps`); }
      cpSync(path, `${stage}/${path}`, { recursive: true, dereference: true });
    }' "$stage/$name"
  node -p 'process.platform + "-" + process.arch + "-abi" + process.versions.modules' >"$stage/$name/node_modules/.persomux-platform"
fi
tar -czf "$out/$name.tar.gz.new" -C "$stage" "$name"
mv -f "$out/$name.tar.gz.new" "$out/$name.tar.gz"
echo "$out/$name.tar.gz" >"$out/LATEST"
echo "release: $out/$name.tar.gz ($(du -h "$out/$name.tar.gz" | cut -f1))"
