#!/usr/bin/env bash
# Builds the installable plugin zip: <out>/tiktok-shop-sync-<version>.zip (default out: build/) with a
# single tiktok-shop-sync/ folder: plugin file, src/, languages/, readme.txt, uninstall.php, and the
# shared Extension API client (plugins/extension-client-php: src/, README.md, composer.json) as
# lib/extension-client/, where src/Autoloader.php looks for it first. WordPress has no Composer at
# run time, so the client travels inside the zip. Tests, test doubles and development files are left out.
# Usage: bin/build-zip.sh [out-dir]; prints the zip's path.
set -euo pipefail
plugin="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
library="$(cd "$plugin/../extension-client-php" && pwd)"
version="$(sed -n 's/^ \* Version:[[:space:]]*//p' "$plugin/tiktok-shop-sync.php" | head -1)"
out="${1:-$plugin/build}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/tiktok-shop-sync/lib/extension-client"
cp -R "$plugin/tiktok-shop-sync.php" "$plugin/uninstall.php" "$plugin/readme.txt" "$plugin/src" "$plugin/languages" "$stage/tiktok-shop-sync/"
cp -R "$library/src" "$library/README.md" "$library/composer.json" "$stage/tiktok-shop-sync/lib/extension-client/"
find "$stage" -name '*.php' -print0 | xargs -0 -n1 php -l >/dev/null
rm -f "$out/tiktok-shop-sync-$version.zip"
if command -v zip >/dev/null 2>&1; then
	(cd "$stage" && zip -qr "$out/tiktok-shop-sync-$version.zip" tiktok-shop-sync)
else
	(cd "$stage" && python3 -m zipfile -c "$out/tiktok-shop-sync-$version.zip" tiktok-shop-sync)
fi
echo "$out/tiktok-shop-sync-$version.zip"
