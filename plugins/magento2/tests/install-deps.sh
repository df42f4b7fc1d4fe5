#!/usr/bin/env bash
# Installs what the Magento 2 module's tests (and the shared PHP client's) need from Debian, and
# nothing already there: PHP 8.2 CLI with curl/xml/mbstring/sqlite3, PHPUnit 9.6, PHP_CodeSniffer and
# Symfony Console (the base of bin/magento's commands). Magento itself is not needed: the tests use
# declaration stubs of its types (tests/stubs). Idempotent; run as root on Debian 12.
set -euo pipefail

packages=(php-cli php-curl php-xml php-mbstring php-sqlite3 phpunit php-codesniffer php-symfony-console)
missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "install-deps (magento2): installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "install-deps (magento2): PHP $(php -r 'echo PHP_VERSION;'), $(phpunit --version | head -1 | cut -d' ' -f1-2)"
