#!/usr/bin/env bash
# Runs every check of the WooCommerce extension: php -l on every PHP file, PHP_CodeSniffer with the
# plugin's ruleset (phpcs.xml.dist), the PHPUnit unit suite, and the PHPUnit integration suite inside
# real WordPress against a live hub on loopback. Exits non-zero when any of them fails.
# Prerequisite: tests/install-deps.sh (Debian packages, WordPress core, SQLite drop-in) and the
# project's hub in .venv/bin/hub (or TTS_HUB_URL and friends, see tests/integration/LiveHub.php).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
plugin="$(dirname "$here")"
cd "$plugin"
status=0

../../scripts/php-static-checks . || status=1

echo "== PHPUnit unit suite"
phpunit -c tests/phpunit-unit.xml || status=1

echo "== PHPUnit integration suite (real WordPress, live hub)"
phpunit -c tests/phpunit-integration.xml || status=1

exit "$status"
