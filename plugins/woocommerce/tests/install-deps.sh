#!/usr/bin/env bash
# Installs what the WooCommerce extension's tests need, and nothing that is already there:
#  - Debian packages: PHP 8.2 CLI with sqlite3/curl/xml/mbstring, PHPUnit 9.6, PHP_CodeSniffer, unzip;
#  - real WordPress core (6.5.5) and the SQLite database integration, both taken from the npm package
#    @wp-playground/wordpress-builds (WordPress.org itself is not reachable here), unpacked into
#    $TTS_TEST_DEPS_DIR (default /opt/tiktok-shop-sync-test).
# Idempotent; run as root on Debian 12. `apt-get update` runs once, only if a package is missing.
set -euo pipefail

DEPS_DIR="${TTS_TEST_DEPS_DIR:-/opt/tiktok-shop-sync-test}"
WP_BUILDS_PKG="@wp-playground/wordpress-builds@0.9.19"
WP_ZIP="package/src/wordpress/wp-6.5.zip"
SQLITE_ZIP="package/src/sqlite-database-integration/sqlite-database-integration.zip"

packages=(php-cli php-sqlite3 php-curl php-xml php-mbstring phpunit php-codesniffer unzip)
missing=()
for pkg in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$pkg")
	fi
done
if ! command -v npm >/dev/null 2>&1; then
	missing+=(npm)
fi
if [ "${#missing[@]}" -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -f "$DEPS_DIR/wordpress/wp-settings.php" ] && [ -f "$DEPS_DIR/sqlite-database-integration/db.copy" ]; then
	echo "install-deps: WordPress and the SQLite drop-in are present in $DEPS_DIR"
	exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "install-deps: fetching $WP_BUILDS_PKG from npm"
(cd "$work" && npm pack --silent "$WP_BUILDS_PKG" >/dev/null)
tarball="$(ls "$work"/*.tgz)"
tar -xzf "$tarball" -C "$work" "$WP_ZIP" "$SQLITE_ZIP"
mkdir -p "$DEPS_DIR"
rm -rf "$DEPS_DIR/wordpress" "$DEPS_DIR/sqlite-database-integration" "$work/wp" "$work/sq"
unzip -q "$work/$WP_ZIP" -d "$work/wp"
unzip -q "$work/$SQLITE_ZIP" -d "$work/sq"
# The zip holds the WordPress tree at its root; the SQLite plugin sits in one folder.
mv "$work/wp" "$DEPS_DIR/wordpress"
mv "$work"/sq/* "$DEPS_DIR/sqlite-database-integration"
grep -q "wp_version = '6.5" "$DEPS_DIR/wordpress/wp-includes/version.php"
echo "install-deps: WordPress $(sed -n "s/.*wp_version = '\([^']*\)'.*/\1/p" "$DEPS_DIR/wordpress/wp-includes/version.php") and the SQLite drop-in are in $DEPS_DIR"
