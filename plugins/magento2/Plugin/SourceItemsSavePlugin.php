<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Plugin;

use Magento\InventoryApi\Api\SourceItemsSaveInterface;
use Magento\InventoryCatalogApi\Model\GetProductIdsBySkusInterface;
use TikTokShopSync\Connector\Api\OutboxPusherInterface;
use TikTokShopSync\Connector\Model\Outbox\ChangeRecorder;
use TikTokShopSync\Connector\Model\Outbox\OutboxTable;

/**
 * MSI source quantities saved (admin, REST, imports). A product save runs this too: the change
 * recorder folds it into the product's pending row, so the hub gets one change.
 */
class SourceItemsSavePlugin
{
    public function __construct(
        private readonly ChangeRecorder $recorder,
        private readonly GetProductIdsBySkusInterface $productIds,
        private readonly OutboxPusherInterface $pusher
    ) {
    }

    /**
     * @param \Magento\InventoryApi\Api\Data\SourceItemInterface[] $sourceItems
     */
    public function afterExecute(SourceItemsSaveInterface $subject, $result, array $sourceItems)
    {
        $skus = [];
        foreach ($sourceItems as $item) {
            if (null !== $item->getSku() && '' !== $item->getSku()) {
                $skus[(string) $item->getSku()] = true;
            }
        }
        if ($skus) {
            try {
                $ids = $this->productIds->execute(array_keys($skus));
            } catch (\Throwable $e) {
                // A SKU without a product (source items imported first): nothing the hub knows.
                return $result;
            }
            if ($this->recorder->record(array_values($ids), OutboxTable::TYPE_STOCK) > 0) {
                $this->pusher->pushSoon();
            }
        }
        return $result;
    }
}
