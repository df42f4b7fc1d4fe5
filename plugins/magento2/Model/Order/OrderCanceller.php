<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Order;

use Magento\Sales\Api\OrderManagementInterface;
use Magento\Sales\Api\OrderRepositoryInterface;
use TikTokShopSync\ExtensionClient\Commands\CommandFailure;

/**
 * order.cancel: cancels the Magento order of a TikTok order (already cancelled counts as done),
 * and notes that the hub asked for it so the cancellation is not reported back.
 */
class OrderCanceller
{
    public function __construct(
        private readonly OrderMap $map,
        private readonly OrderRepositoryInterface $orders,
        private readonly OrderManagementInterface $orderManagement
    ) {
    }

    /**
     * @param array<string,mixed> $payload tiktok_order_id, platform_order_id, reason.
     * @return array{platform_order_id:string}
     */
    public function cancel(array $payload): array
    {
        $tiktokId = trim((string) ($payload['tiktok_order_id'] ?? ''));
        $row = '' === $tiktokId ? null : $this->map->find($tiktokId);
        if (null === $row || null === $row['order_id']) {
            throw new CommandFailure(
                CommandFailure::MISSING_FIELD,
                'Magento has no order for TikTok order ' . $tiktokId . '.'
            );
        }
        $order = $this->orders->get((int) $row['order_id']);
        if ('canceled' !== $order->getState()) {
            $this->map->markCancelledByHub($tiktokId);
            if (!$this->orderManagement->cancel((int) $row['order_id'])) {
                throw new CommandFailure(
                    CommandFailure::PLATFORM_ERROR,
                    'Magento cannot cancel order ' . $order->getIncrementId() . ' (state ' . $order->getState() . '):'
                    . ' it may be invoiced or shipped.'
                );
            }
        }
        return ['platform_order_id' => (string) $order->getIncrementId()];
    }
}
