<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Support;

/**
 * Small named values that must outlive one request (the last version handed out, when the next
 * poll may run, the last contact with the hub). WordPress keeps them in options, Magento in flags.
 */
interface StateStore
{
    /**
     * @return mixed|null Null when nothing is stored under the name.
     */
    public function get(string $name);

    /**
     * @param mixed $value Scalar or array.
     */
    public function set(string $name, $value): void;
}
