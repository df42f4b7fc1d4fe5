<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use TikTokShopSync\Connector\Api\OutboxPusherInterface;

/**
 * catalog_product_save_commit_after / catalog_product_delete_commit_after: the change is committed,
 * so the push is scheduled (it runs at the end of the request).
 */
class PushAfterCommit implements ObserverInterface
{
    public function __construct(private readonly OutboxPusherInterface $pusher)
    {
    }

    public function execute(Observer $observer)
    {
        $this->pusher->pushSoon();
    }
}
