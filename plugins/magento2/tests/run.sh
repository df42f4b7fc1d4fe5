#!/usr/bin/env bash
# Every check of the Magento 2 module: php -l on every PHP file, PHP_CodeSniffer (PSR-12,
# phpcs.xml.dist), and PHPUnit: Magento's XSDs and the consistency of the XML with the code
# (tests/Config), unit tests on doubles of Magento's interfaces (tests/Unit), and contract tests
# against the project's hub started on loopback (tests/Contract). Exits non-zero on any failure.
# Prerequisites: tests/install-deps.sh, and the hub in the project's .venv (scripts/setup).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
status=0

echo "== php -l"
count=0
bad=0
while IFS= read -r -d '' file; do
    count=$((count + 1))
    if ! out="$(php -l "$file" 2>&1)"; then
        echo "$out"
        bad=$((bad + 1))
    fi
done < <(find . -name '*.php' -print0)
echo "php -l: $count files, $bad with syntax errors"
[ "$bad" -eq 0 ] || status=1

echo "== phpcs (PSR-12)"
if phpcs -q --report=summary; then echo "phpcs: no violations"; else status=1; fi

echo "== PHPUnit (Magento 2 module)"
phpunit -c tests/phpunit.xml || status=1
exit "$status"
