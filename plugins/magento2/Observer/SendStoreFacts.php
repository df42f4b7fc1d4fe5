<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use TikTokShopSync\Connector\Api\OutboxPusherInterface;
use TikTokShopSync\Connector\Model\Catalog\StoreFacts;
use TikTokShopSync\Connector\Model\Config;

/**
 * admin_system_config_changed_section_tiktokshop: after the settings are saved, every enabled
 * website tells the hub its currency, units and URL.
 */
class SendStoreFacts implements ObserverInterface
{
    public function __construct(
        private readonly Config $config,
        private readonly StoreFacts $storeFacts,
        private readonly OutboxPusherInterface $pusher
    ) {
    }

    public function execute(Observer $observer)
    {
        foreach ($this->config->enabledWebsiteIds() as $websiteId) {
            $this->storeFacts->queue($websiteId);
        }
        $this->pusher->pushSoon();
    }
}
