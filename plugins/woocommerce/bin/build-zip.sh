#!/usr/bin/env bash
# Builds the installable plugin zip: build/tiktok-shop-sync-<version>.zip with a single
# tiktok-shop-sync/ folder (plugin file, src/, languages/, readme.txt, uninstall.php). Tests,
# test doubles and development files are left out.
set -euo pipefail
plugin="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$(sed -n 's/^ \* Version:[[:space:]]*//p' "$plugin/tiktok-shop-sync.php" | head -1)"
out="$plugin/build"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/tiktok-shop-sync" "$out"
cp -R "$plugin/tiktok-shop-sync.php" "$plugin/uninstall.php" "$plugin/readme.txt" "$plugin/src" "$plugin/languages" "$stage/tiktok-shop-sync/"
find "$stage" -name '*.php' -print0 | xargs -0 -n1 php -l >/dev/null
rm -f "$out/tiktok-shop-sync-$version.zip"
if command -v zip >/dev/null 2>&1; then
	(cd "$stage" && zip -qr "$out/tiktok-shop-sync-$version.zip" tiktok-shop-sync)
else
	(cd "$stage" && python3 -m zipfile -c "$out/tiktok-shop-sync-$version.zip" tiktok-shop-sync)
fi
echo "$out/tiktok-shop-sync-$version.zip"
