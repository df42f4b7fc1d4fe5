<?php

declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    $prefixes = [
        'TikTokShopSync\\ExtensionClient\\Tests\\' => __DIR__ . '/',
        'TikTokShopSync\\ExtensionClient\\' => dirname(__DIR__) . '/src/',
    ];
    foreach ($prefixes as $prefix => $dir) {
        if (0 === strncmp($class, $prefix, strlen($prefix))) {
            $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }
            return;
        }
    }
});
