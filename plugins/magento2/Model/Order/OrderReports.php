<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Order;

use Magento\Sales\Api\OrderRepositoryInterface;
use TikTokShopSync\Connector\Api\OutboxPusherInterface;
use TikTokShopSync\Connector\Model\Outbox\OutboxTable;
use TikTokShopSync\ExtensionClient\Events\EventFactory;

/**
 * Tells the hub what happened to a TikTok order in Magento: shipped with a tracking number
 * (order.fulfilled), cancelled or refunded by the merchant (order.cancelled). Orders that did not
 * come from TikTok, and cancellations the hub asked for, are not reported.
 */
class OrderReports
{
    public function __construct(
        private readonly OrderMap $map,
        private readonly OrderRepositoryInterface $orders,
        private readonly OutboxTable $outbox,
        private readonly EventFactory $events,
        private readonly OutboxPusherInterface $pusher
    ) {
    }

    public function shipped(int $orderId, string $trackingNumber, string $carrier, string $shippedAt): bool
    {
        $row = $this->map->findByOrderId($orderId);
        if (null === $row || '' === trim($trackingNumber)) {
            return false;
        }
        $order = $this->orders->get($orderId);
        $event = $this->events->orderFulfilled(
            (string) $row['tiktok_order_id'],
            (string) $order->getIncrementId(),
            trim($trackingNumber),
            $carrier,
            $shippedAt
        );
        $this->outbox->addEvent(
            (int) $row['website_id'],
            $event,
            'fulfil:' . $row['tiktok_order_id'] . ':' . trim($trackingNumber)
        );
        $this->pusher->pushSoon();
        return true;
    }

    public function cancelled(int $orderId, string $reason): bool
    {
        $row = $this->map->findByOrderId($orderId);
        if (null === $row || (int) $row['cancelled_by_hub'] === 1) {
            return false;
        }
        $order = $this->orders->get($orderId);
        $event = $this->events->orderCancelled(
            (string) $row['tiktok_order_id'],
            (string) $order->getIncrementId(),
            $reason
        );
        $this->outbox->addEvent((int) $row['website_id'], $event, 'cancel:' . $row['tiktok_order_id']);
        $this->pusher->pushSoon();
        return true;
    }
}
