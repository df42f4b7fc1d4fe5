#!/usr/bin/env bash
# Every check of the Magento 2 module: php -l on every PHP file, PHP_CodeSniffer (PSR-12,
# phpcs.xml.dist), and PHPUnit: Magento's XSDs and the consistency of the XML with the code
# (tests/Config), unit tests on doubles of Magento's interfaces (tests/Unit), and contract tests
# against the project's hub started on loopback (tests/Contract). Exits non-zero on any failure.
# Prerequisites: tests/install-deps.sh, and the hub in the project's .venv (scripts/setup).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
status=0

../../scripts/php-static-checks . || status=1

echo "== PHPUnit (Magento 2 module)"
phpunit -c tests/phpunit.xml || status=1
exit "$status"
