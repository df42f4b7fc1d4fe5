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

echo "== php -l"
lint_failures=0
lint_count=0
while IFS= read -r -d '' file; do
	lint_count=$((lint_count + 1))
	if ! out="$(php -l "$file" 2>&1)"; then
		echo "$out"
		lint_failures=$((lint_failures + 1))
	fi
done < <(find . -name '*.php' -not -path './build/*' -print0)
echo "php -l: $lint_count files, $lint_failures with syntax errors"
[ "$lint_failures" -eq 0 ] || status=1

echo "== phpcs (phpcs.xml.dist)"
if phpcs --report=summary -q; then
	echo "phpcs: no violations"
else
	status=1
fi

echo "== PHPUnit unit suite"
phpunit -c tests/phpunit-unit.xml || status=1

echo "== PHPUnit integration suite (real WordPress, live hub)"
phpunit -c tests/phpunit-integration.xml || status=1

exit "$status"
