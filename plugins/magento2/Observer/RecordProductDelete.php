<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use TikTokShopSync\Connector\Model\Outbox\ChangeRecorder;
use TikTokShopSync\Connector\Model\Outbox\OutboxTable;

/**
 * catalog_product_delete_after: inside the delete's transaction.
 */
class RecordProductDelete implements ObserverInterface
{
    public function __construct(private readonly ChangeRecorder $recorder)
    {
    }

    public function execute(Observer $observer)
    {
        $product = $observer->getEvent()->getProduct();
        if ($product && $product->getId()) {
            $this->recorder->record([(int) $product->getId()], OutboxTable::TYPE_DELETE);
        }
    }
}
