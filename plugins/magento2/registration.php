<?php

/**
 * Registers the module with Magento, and makes the shared Extension API client loadable when the
 * module is installed by copying into app/code (Composer installs load it on their own).
 */

declare(strict_types=1);

use Magento\Framework\Component\ComponentRegistrar;

ComponentRegistrar::register(ComponentRegistrar::MODULE, 'TikTokShopSync_Connector', __DIR__);

if (!interface_exists(\TikTokShopSync\ExtensionClient\Http\Transport::class)) {
    foreach (
        [__DIR__ . '/lib/extension-client/src', __DIR__ . '/../extension-client-php/src'] as $tiktokShopSyncLibrary
    ) {
        if (is_dir($tiktokShopSyncLibrary)) {
            spl_autoload_register(static function (string $class) use ($tiktokShopSyncLibrary): void {
                $prefix = 'TikTokShopSync\\ExtensionClient\\';
                if (0 === strncmp($class, $prefix, strlen($prefix))) {
                    $file = $tiktokShopSyncLibrary . '/' . str_replace(
                        '\\',
                        '/',
                        substr($class, strlen($prefix))
                    ) . '.php';
                    if (is_file($file)) {
                        require $file;
                    }
                }
            });
            break;
        }
    }
}
