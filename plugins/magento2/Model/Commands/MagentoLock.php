<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Commands;

use Magento\Framework\Lock\LockManagerInterface;
use TikTokShopSync\ExtensionClient\Commands\CommandLock;

/**
 * The shared client's poll lock over Magento's lock service (database or file locks, as configured).
 */
class MagentoLock implements CommandLock
{
    public function __construct(
        private readonly LockManagerInterface $locks,
        private readonly string $name
    ) {
    }

    public function acquire(): bool
    {
        return $this->locks->lock($this->name, 0);
    }

    public function release(): void
    {
        $this->locks->unlock($this->name);
    }
}
