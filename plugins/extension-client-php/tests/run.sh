#!/usr/bin/env bash
# Checks of the shared Extension API client: php -l on every PHP file, PHP_CodeSniffer (PSR-12,
# phpcs.xml.dist) and the PHPUnit suite (real HTTP to a loopback server). Non-zero exit on any failure.
# Prerequisites: Debian's php-cli, php-curl, phpunit and php-codesniffer (plugins/woocommerce/tests/install-deps.sh).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
status=0

../../scripts/php-static-checks . || status=1

echo "== PHPUnit (extension client)"
phpunit -c tests/phpunit.xml || status=1
exit "$status"
