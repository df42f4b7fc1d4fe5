<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use TikTokShopSync\Connector\Model\Outbox\ChangeRecorder;
use TikTokShopSync\Connector\Model\Outbox\OutboxTable;

/**
 * catalog_product_save_after: inside the save's transaction, so the outbox row commits (or rolls
 * back) with the product.
 */
class RecordProductChange implements ObserverInterface
{
    public function __construct(private readonly ChangeRecorder $recorder)
    {
    }

    public function execute(Observer $observer)
    {
        $product = $observer->getEvent()->getProduct();
        if ($product && $product->getId()) {
            $this->recorder->record([(int) $product->getId()], OutboxTable::TYPE_UPSERT);
        }
    }
}
