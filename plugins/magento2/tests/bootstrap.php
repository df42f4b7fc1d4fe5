<?php

/**
 * Autoloading for the module's tests: the module (PSR-4 from the module folder), the shared
 * Extension API client, the declaration stubs of Magento's types (tests/stubs), Debian's Symfony
 * Console (php-symfony-console, what bin/magento's commands extend) and the test support classes.
 */

declare(strict_types=1);

$module = dirname(__DIR__);
$prefixes = [
    'TikTokShopSync\\ConnectorTests\\' => __DIR__ . '/',
    'TikTokShopSync\\Connector\\' => $module . '/',
    'TikTokShopSync\\ExtensionClient\\' => dirname($module) . '/extension-client-php/src/',
];
spl_autoload_register(static function (string $class) use ($prefixes): void {
    foreach ($prefixes as $prefix => $dir) {
        if (0 === strncmp($class, $prefix, strlen($prefix))) {
            $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }
            return;
        }
    }
    $stub = __DIR__ . '/stubs/' . str_replace('\\', '/', $class) . '.php';
    if (is_file($stub)) {
        require $stub;
    }
});
$symfony = getenv('TTS_SYMFONY_CONSOLE_AUTOLOAD') ?: '/usr/share/php/Symfony/Component/Console/autoload.php';
if (!is_file($symfony)) {
    fwrite(STDERR, "Symfony Console is missing: install Debian's php-symfony-console (tests/install-deps.sh).\n");
    exit(1);
}
require $symfony;
foreach (glob(__DIR__ . '/Support/*.php') as $support) {
    require_once $support;
}
