<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Plugin;

use Magento\InventoryCatalogApi\Model\GetProductIdsBySkusInterface;
use Magento\InventorySalesApi\Api\Data\SalesChannelInterface;
use Magento\InventorySalesApi\Api\Data\SalesEventInterface;
use Magento\InventorySalesApi\Api\PlaceReservationsForSalesEventInterface;
use TikTokShopSync\Connector\Api\OutboxPusherInterface;
use TikTokShopSync\Connector\Model\Outbox\ChangeRecorder;
use TikTokShopSync\Connector\Model\Outbox\OutboxTable;

/**
 * MSI reservations (an order placed, cancelled, refunded or shipped) change the salable quantity
 * without touching source items: the product's stock goes to the hub.
 */
class ReservationsPlugin
{
    public function __construct(
        private readonly ChangeRecorder $recorder,
        private readonly GetProductIdsBySkusInterface $productIds,
        private readonly OutboxPusherInterface $pusher
    ) {
    }

    /**
     * @param \Magento\InventorySalesApi\Api\Data\ItemToSellInterface[] $items
     */
    public function afterExecute(
        PlaceReservationsForSalesEventInterface $subject,
        $result,
        array $items,
        SalesChannelInterface $salesChannel,
        SalesEventInterface $salesEvent
    ) {
        $skus = [];
        foreach ($items as $item) {
            $skus[(string) $item->getSku()] = true;
        }
        if ($skus) {
            try {
                $ids = $this->productIds->execute(array_keys($skus));
            } catch (\Throwable $e) {
                return $result;
            }
            if ($this->recorder->record(array_values($ids), OutboxTable::TYPE_STOCK) > 0) {
                $this->pusher->pushSoon();
            }
        }
        return $result;
    }
}
