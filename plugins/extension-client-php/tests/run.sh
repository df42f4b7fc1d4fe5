#!/usr/bin/env bash
# Checks of the shared Extension API client: php -l on every PHP file, PHP_CodeSniffer (PSR-12,
# phpcs.xml.dist) and the PHPUnit suite (real HTTP to a loopback server). Non-zero exit on any failure.
# Prerequisites: Debian's php-cli, php-curl, phpunit and php-codesniffer (plugins/woocommerce/tests/install-deps.sh).
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

echo "== PHPUnit (extension client)"
phpunit -c tests/phpunit.xml || status=1
exit "$status"
