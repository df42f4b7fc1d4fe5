<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Order;

use Magento\Framework\DataObject;
use Magento\Sales\Api\Data\CreditmemoInterface;
use Magento\Sales\Api\OrderRepositoryInterface;
use TikTokShopSync\Connector\Api\OutboxPusherInterface;
use TikTokShopSync\Connector\Model\Outbox\OutboxTable;
use TikTokShopSync\ExtensionClient\Events\EventFactory;

/**
 * Tells the hub what happened to a TikTok order in Magento: shipped with a tracking number
 * (order.fulfilled), cancelled by the merchant (order.cancelled), refunded by the merchant with a
 * credit memo (order.refunded, Extension API v1.2). Orders that did not come from TikTok, and
 * cancellations and refunds the hub asked for, are not reported.
 */
class OrderReports
{
    public function __construct(
        private readonly OrderMap $map,
        private readonly RefundMap $refunds,
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

    /**
     * True when a credit memo being refunded for this order will be reported: a TikTok order, and not
     * a credit memo the module is making for order.refund (that refund started on TikTok).
     */
    public function reportsRefundOf(int $orderId): bool
    {
        return null !== $this->map->findByOrderId($orderId)
            && !$this->refunds->isModuleRefund($orderId, null, OrderRefunder::CLAIM_STALE_AFTER);
    }

    /**
     * order.refunded for a saved credit memo the merchant made: its lines (a configurable's line
     * names the child product TikTok sold), amount and currency.
     */
    public function refunded(CreditmemoInterface $creditmemo): bool
    {
        $orderId = (int) $creditmemo->getOrderId();
        $row = $this->map->findByOrderId($orderId);
        if (
            null === $row
            || $this->refunds->isModuleRefund(
                $orderId,
                (int) $creditmemo->getEntityId(),
                OrderRefunder::CLAIM_STALE_AFTER
            )
        ) {
            return false;
        }
        $order = $this->orders->get($orderId);
        $orderItems = [];
        $children = [];
        foreach ($order->getItems() ?: [] as $item) {
            $orderItems[(int) $item->getItemId()] = $item;
            if (null !== $item->getParentItemId()) {
                $children[(int) $item->getParentItemId()] = (string) $item->getProductId();
            }
        }
        $lines = [];
        foreach ($creditmemo->getItems() ?: [] as $item) {
            $orderItem = $orderItems[(int) $item->getOrderItemId()] ?? null;
            $quantity = (int) round((float) $item->getQty());
            if (null === $orderItem || null !== $orderItem->getParentItemId() || $quantity < 1) {
                continue; // a configurable's child line is reported with its parent's
            }
            $productId = (string) $orderItem->getProductId();
            $lines[] = [
                'product_id' => $productId,
                'variant_id' => $children[(int) $orderItem->getItemId()] ?? $productId,
                'quantity' => $quantity,
                'amount' => number_format(abs((float) $item->getRowTotalInclTax()), 2, '.', ''),
                'restocked' => $item instanceof DataObject && (bool) $item->getData('back_to_stock'),
            ];
        }
        if (!$lines) {
            return false; // an adjustment-only credit memo names no items: TikTok refunds items
        }
        $event = $this->events->orderRefunded(
            (string) $row['tiktok_order_id'],
            (string) $order->getIncrementId(),
            (string) $creditmemo->getEntityId(),
            number_format(abs((float) $creditmemo->getGrandTotal()), 2, '.', ''),
            (string) ($creditmemo->getOrderCurrencyCode() ?: $order->getOrderCurrencyCode()),
            'Refunded in Magento (credit memo ' . $creditmemo->getIncrementId() . ')',
            $lines
        );
        $this->outbox->addEvent(
            (int) $row['website_id'],
            $event,
            'refund:' . $row['tiktok_order_id'] . ':' . $creditmemo->getEntityId()
        );
        $this->pusher->pushSoon();
        return true;
    }
}
