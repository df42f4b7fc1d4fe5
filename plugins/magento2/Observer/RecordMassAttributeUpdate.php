<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use TikTokShopSync\Connector\Api\OutboxPusherInterface;
use TikTokShopSync\Connector\Model\Outbox\ChangeRecorder;
use TikTokShopSync\Connector\Model\Outbox\OutboxTable;

/**
 * catalog_product_attribute_update_before ("Update attributes" on many products): no product save
 * event fires for these, so the ids are recorded here; the products are read when sent, after the
 * update has been written.
 */
class RecordMassAttributeUpdate implements ObserverInterface
{
    public function __construct(
        private readonly ChangeRecorder $recorder,
        private readonly OutboxPusherInterface $pusher
    ) {
    }

    public function execute(Observer $observer)
    {
        $ids = (array) $observer->getEvent()->getData('product_ids');
        if ($ids && $this->recorder->record($ids, OutboxTable::TYPE_UPSERT) > 0) {
            $this->pusher->pushSoon();
        }
    }
}
