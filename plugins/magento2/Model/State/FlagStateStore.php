<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\State;

use Magento\Framework\FlagManager;
use TikTokShopSync\ExtensionClient\Support\StateStore;

/**
 * The shared client's small persistent values, kept in Magento's flag table, one name space per website.
 */
class FlagStateStore implements StateStore
{
    public function __construct(
        private readonly FlagManager $flagManager,
        private readonly string $prefix = 'tiktokshop'
    ) {
    }

    public function forWebsite(int $websiteId): self
    {
        return new self($this->flagManager, 'tiktokshop_w' . $websiteId);
    }

    public function get(string $name)
    {
        return $this->flagManager->getFlagData($this->prefix . '_' . $name);
    }

    public function set(string $name, $value): void
    {
        $this->flagManager->saveFlag($this->prefix . '_' . $name, $value);
    }
}
