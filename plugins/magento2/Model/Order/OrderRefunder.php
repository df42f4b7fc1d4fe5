<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Order;

use Magento\Sales\Api\Data\CreditmemoCreationArgumentsExtensionFactory;
use Magento\Sales\Api\Data\CreditmemoCreationArgumentsInterfaceFactory;
use Magento\Sales\Api\Data\CreditmemoItemCreationInterfaceFactory;
use Magento\Sales\Api\Data\OrderItemInterface;
use Magento\Sales\Api\InvoiceOrderInterface;
use Magento\Sales\Api\OrderRepositoryInterface;
use Magento\Sales\Api\RefundOrderInterface;
use TikTokShopSync\ExtensionClient\Commands\CommandDeferred;
use TikTokShopSync\ExtensionClient\Commands\CommandFailure;

/**
 * order.refund (Extension API v1.2): one offline credit memo per TikTok return, made with Magento's
 * RefundOrderInterface (the service behind POST /V1/order/{id}/refund).
 *
 * TikTok has already paid the buyer back, so nothing goes through a payment method. The credit memo
 * refunds the listed lines and quantities and TikTok's shipping refund; an adjustment (refund or fee)
 * makes its total the amount TikTok refunded, since TikTok's line amounts can differ from the order's
 * prices (a partial refund, a voucher). Lines marked `restock` go back to stock through
 * return_to_stock_items (Magento_SalesInventory / MSI). The return id is claimed in RefundMap first,
 * so the command delivered again reports the credit memo made before instead of refunding twice.
 *
 * Magento refunds only invoiced quantities, and the module places TikTok orders without an invoice
 * (TikTok took the payment). An order with nothing invoiced is therefore first invoiced offline
 * (InvoiceOrderInterface, no capture) for all its items: the buyer paid TikTok for all of them.
 */
class OrderRefunder
{
    public const CLAIM_STALE_AFTER = 600;

    public function __construct(
        private readonly OrderMap $orderMap,
        private readonly RefundMap $refundMap,
        private readonly OrderRepositoryInterface $orders,
        private readonly RefundOrderInterface $refundOrder,
        private readonly InvoiceOrderInterface $invoiceOrder,
        private readonly CreditmemoItemCreationInterfaceFactory $itemFactory,
        private readonly CreditmemoCreationArgumentsInterfaceFactory $argumentsFactory,
        private readonly CreditmemoCreationArgumentsExtensionFactory $argumentsExtensionFactory
    ) {
    }

    /**
     * @param array<string,mixed> $payload The OrderRefund payload.
     * @return array{platform_order_id:string,platform_refund_id:string}
     * @throws CommandFailure A field is missing, the order or a line is unknown, or Magento refuses.
     * @throws CommandDeferred Another worker is making the credit memo of this return.
     */
    public function refund(array $payload): array
    {
        foreach (['tiktok_order_id', 'tiktok_return_id', 'amount'] as $field) {
            if (!isset($payload[$field]) || '' === trim((string) $payload[$field])) {
                throw new CommandFailure(CommandFailure::MISSING_FIELD, "The refund has no {$field}.");
            }
        }
        $tiktokId = trim((string) $payload['tiktok_order_id']);
        $returnId = trim((string) $payload['tiktok_return_id']);
        $row = $this->orderMap->find($tiktokId);
        if (null === $row || null === $row['order_id']) {
            throw new CommandFailure(
                CommandFailure::PLATFORM_ERROR,
                'No Magento order was created for TikTok order ' . $tiktokId . ': nothing to refund.'
            );
        }
        $orderId = (int) $row['order_id'];
        $order = $this->orders->get($orderId);
        $result = ['platform_order_id' => (string) $order->getIncrementId()];

        $made = $this->refundMap->find($returnId);
        if (null !== $made && null !== $made['creditmemo_id']) {
            return $result + ['platform_refund_id' => (string) $made['creditmemo_id']];
        }
        [$items, $restock, $linesTotal] = $this->items($order->getItems() ?: [], (array) ($payload['lines'] ?? []));
        $shipping = $this->money($payload['shipping'] ?? '0', 'shipping');
        $amount = $this->money($payload['amount'], 'amount');

        if (!$this->refundMap->claim($returnId, $tiktokId, $orderId)) {
            if (!$this->refundMap->takeOverStaleClaim($returnId, self::CLAIM_STALE_AFTER)) {
                throw new CommandDeferred('TikTok return ' . $returnId . ' is being refunded by another worker.');
            }
        }
        $arguments = $this->argumentsFactory->create();
        $arguments->setShippingAmount($shipping);
        $difference = round($amount - $shipping - $linesTotal, 2);
        $arguments->setAdjustmentPositive($difference > 0 ? $difference : 0.0);
        $arguments->setAdjustmentNegative($difference < 0 ? -$difference : 0.0);
        if ($restock) {
            $extension = $this->argumentsExtensionFactory->create();
            $extension->setReturnToStockItems($restock);
            $arguments->setExtensionAttributes($extension);
        }
        try {
            if (!$this->anyInvoiced($order->getItems() ?: [])) {
                $this->invoiceOrder->execute($orderId, false);
            }
            $creditmemoId = (int) $this->refundOrder->execute($orderId, $items, false, false, null, $arguments);
        } catch (\Throwable $e) {
            $this->refundMap->release($returnId);
            throw new CommandFailure(
                CommandFailure::PLATFORM_ERROR,
                'Magento refused the credit memo for order ' . $order->getIncrementId() . ': ' . $e->getMessage()
                . ' Refund it in Magento (Credit Memo, Refund Offline), then click Sync.'
            );
        }
        $this->refundMap->attach($returnId, $creditmemoId);
        return $result + ['platform_refund_id' => (string) $creditmemoId];
    }

    /**
     * The credit memo items of the refund lines, the order items to return to stock, and what Magento
     * will refund for the items at the order's prices (so the adjustment can make up the difference).
     *
     * @param array<int,OrderItemInterface> $orderItems
     * @param array<int,mixed> $lines
     * @return array{0:array<int,\Magento\Sales\Api\Data\CreditmemoItemCreationInterface>,1:array<int,int>,2:float}
     */
    private function items(array $orderItems, array $lines): array
    {
        $byId = [];
        foreach ($orderItems as $item) {
            $byId[(int) $item->getItemId()] = $item;
        }
        $items = [];
        $restock = [];
        $total = 0.0;
        foreach ($lines as $line) {
            $line = (array) $line;
            $quantity = (int) ($line['quantity'] ?? 0);
            if ($quantity < 1) {
                throw new CommandFailure(
                    CommandFailure::MISSING_FIELD,
                    'A refund line for ' . ($line['sku'] ?? $line['variant_id'] ?? '?') . ' has no positive quantity.'
                );
            }
            $item = $this->itemFor($orderItems, $line);
            if (null === $item) {
                throw new CommandFailure(
                    CommandFailure::PRODUCT_DELETED,
                    'The Magento order has no line for product ' . ($line['variant_id'] ?? '?')
                    . ' (SKU ' . ($line['sku'] ?? '?') . ').'
                );
            }
            // A configurable's child carries the product; Magento refunds its parent line.
            $parentId = $item->getParentItemId();
            $refunded = null !== $parentId && isset($byId[(int) $parentId]) ? $byId[(int) $parentId] : $item;
            $left = (float) $refunded->getQtyOrdered() - (float) $refunded->getQtyRefunded();
            if ($quantity > $left) {
                throw new CommandFailure(
                    CommandFailure::PLATFORM_ERROR,
                    'TikTok refunded ' . $quantity . ' of ' . $refunded->getSku() . ' but Magento can refund only '
                    . $left . ' more.'
                );
            }
            $creation = $this->itemFactory->create();
            $creation->setOrderItemId((int) $refunded->getItemId());
            $creation->setQty($quantity);
            $items[] = $creation;
            $total += $quantity * (float) $refunded->getPriceInclTax();
            if (!empty($line['restock'])) {
                $restock[] = (int) $refunded->getItemId();
            }
        }
        return [$items, $restock, round($total, 2)];
    }

    /**
     * The order item of a refund line: the simple product TikTok sold (variant), then the SKU.
     *
     * @param array<int,OrderItemInterface> $orderItems
     * @param array<string,mixed> $line
     */
    private function itemFor(array $orderItems, array $line): ?OrderItemInterface
    {
        foreach (['variant_id' => 'getProductId', 'sku' => 'getSku'] as $key => $getter) {
            $wanted = trim((string) ($line[$key] ?? ''));
            if ('' === $wanted) {
                continue;
            }
            $match = null;
            foreach ($orderItems as $item) {
                if ((string) $item->$getter() === $wanted) {
                    // Prefer the child line of a configurable: it is the product TikTok sold.
                    $match = null === $match || null !== $item->getParentItemId() ? $item : $match;
                }
            }
            if (null !== $match) {
                return $match;
            }
        }
        return null;
    }

    /**
     * @param array<int,OrderItemInterface> $orderItems
     */
    private function anyInvoiced(array $orderItems): bool
    {
        foreach ($orderItems as $item) {
            if ((float) $item->getQtyInvoiced() > 0) {
                return true;
            }
        }
        return false;
    }

    private function money(mixed $value, string $field): float
    {
        $text = trim((string) $value);
        if (!preg_match('/^\d+(\.\d+)?$/', $text)) {
            throw new CommandFailure(
                CommandFailure::MISSING_FIELD,
                'The refund ' . $field . ' must be a decimal such as "9.99"; received "' . substr($text, 0, 60) . '".'
            );
        }
        return (float) $text;
    }
}
