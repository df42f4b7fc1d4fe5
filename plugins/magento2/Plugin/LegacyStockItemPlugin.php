<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Plugin;

use Magento\CatalogInventory\Api\Data\StockItemInterface;
use Magento\CatalogInventory\Api\StockItemRepositoryInterface;
use TikTokShopSync\Connector\Api\OutboxPusherInterface;
use TikTokShopSync\Connector\Model\Outbox\ChangeRecorder;
use TikTokShopSync\Connector\Model\Outbox\OutboxTable;

/**
 * Stock saved through the legacy CatalogInventory repository (REST stockItems, importers).
 */
class LegacyStockItemPlugin
{
    public function __construct(
        private readonly ChangeRecorder $recorder,
        private readonly OutboxPusherInterface $pusher
    ) {
    }

    public function afterSave(StockItemRepositoryInterface $subject, $result, StockItemInterface $stockItem)
    {
        if (
            $stockItem->getProductId() && $this->recorder->record(
                [(int) $stockItem->getProductId()],
                OutboxTable::TYPE_STOCK
            ) > 0
        ) {
            $this->pusher->pushSoon();
        }
        return $result;
    }
}
