<?php

/**
 * Doubles of Magento's quote and order services: a guest cart becomes an order the way
 * QuoteManagement::submit() does it (shipping method and rate, payment method, items required),
 * numbered like Magento (000000001...).
 */

declare(strict_types=1);

namespace TikTokShopSync\ConnectorTests\Support;

use Magento\Framework\Exception\LocalizedException;
use Magento\Framework\Exception\NoSuchEntityException;
use Magento\Framework\Phrase;
use Magento\Quote\Api\CartManagementInterface;
use Magento\Quote\Api\CartRepositoryInterface;
use Magento\Quote\Api\Data\CartInterface;
use Magento\Quote\Model\Quote;
use Magento\Quote\Model\QuoteManagement;
use Magento\Sales\Api\Data\OrderInterface;
use Magento\Sales\Api\OrderManagementInterface;
use Magento\Sales\Api\OrderRepositoryInterface;
use Magento\Sales\Api\InvoiceOrderInterface;
use Magento\Sales\Api\RefundOrderInterface;
use Magento\Sales\Model\Order;
use Magento\Sales\Model\Order\Creditmemo;
use Magento\Sales\Model\Order\Creditmemo\Item as CreditmemoItem;
use Magento\Sales\Model\Order\Item as OrderItem;

final class Sales
{
    /** @var array<int,Quote> */
    public array $quotes = [];
    /** @var array<int,Order> */
    public array $orders = [];
    /** @var callable|null Called with (Order) after an order is placed (MSI reservations). */
    public $afterPlace = null;
    /** @var callable|null Called with (Order) after an order is cancelled (the order_cancel_after event). */
    public $afterCancel = null;
    public int $nextItemId = 0;
    /** @var array<int,Creditmemo> */
    public array $creditmemos = [];
    /** @var callable|null Called with (string event, Creditmemo) as Magento dispatches its credit memo events. */
    public $creditmemoEvent = null;
    /** @var callable|null Called with (sku, qty) for an item returned to stock. */
    public $returnToStock = null;
    /** @var array<int,int> invoice id => order id */
    public array $invoices = [];
}

/**
 * InvoiceOrderInterface as Magento's InvoiceOrder with no items listed: invoices every item's quantity
 * not yet invoiced (offline when $capture is false) and answers the invoice's id.
 */
final class InvoiceOrderDouble implements InvoiceOrderInterface
{
    public function __construct(private Sales $sales)
    {
    }

    public function execute(
        $orderId,
        $capture = false,
        array $items = [],
        $notify = false,
        $appendComment = false,
        \Magento\Sales\Api\Data\InvoiceCommentCreationInterface $comment = null,
        \Magento\Sales\Api\Data\InvoiceCreationArgumentsInterface $arguments = null
    ) {
        $order = $this->sales->orders[(int) $orderId];
        if (in_array($order->getState(), ['canceled', 'closed', 'holded'], true)) {
            throw new \Magento\Sales\Exception\DocumentValidationException(
                new Phrase('The order does not allow an invoice to be created.')
            );
        }
        foreach ($order->getItems() as $item) {
            $item->setData('qty_invoiced', (float) $item->getQtyOrdered());
        }
        $id = count($this->sales->invoices) + 1;
        $this->sales->invoices[$id] = (int) $orderId;
        return $id;
    }
}

/**
 * RefundOrderInterface as Magento's RefundOrder: refuses an order in a state without credit memos and
 * quantities beyond what is left to refund, totals the items at the order's prices plus shipping and
 * adjustments, fires sales_order_creditmemo_refund before the save and sales_order_creditmemo_save_after
 * after it, returns the listed items to stock, and answers the credit memo's id.
 */
final class RefundOrderDouble implements RefundOrderInterface
{
    public function __construct(private Sales $sales)
    {
    }

    public function execute(
        $orderId,
        array $items = [],
        $notify = false,
        $appendComment = false,
        \Magento\Sales\Api\Data\CreditmemoCommentCreationInterface $comment = null,
        \Magento\Sales\Api\Data\CreditmemoCreationArgumentsInterface $arguments = null
    ) {
        $order = $this->sales->orders[(int) $orderId] ?? null;
        if (null === $order) {
            throw new NoSuchEntityException(new Phrase('The entity that was requested doesn\'t exist.'));
        }
        if (in_array($order->getState(), ['canceled', 'closed'], true)) {
            throw new \Magento\Sales\Exception\DocumentValidationException(
                new Phrase('The order does not allow a creditmemo to be created.')
            );
        }
        $byId = [];
        foreach ($order->getItems() as $orderItem) {
            $byId[(int) $orderItem->getItemId()] = $orderItem;
        }
        $total = 0.0;
        $memoItems = [];
        foreach ($items as $item) {
            $orderItem = $byId[(int) $item->getOrderItemId()] ?? null;
            if (null === $orderItem) {
                throw new \Magento\Sales\Exception\DocumentValidationException(
                    new Phrase('The creditmemo contains product item that is not part of the original order.')
                );
            }
            // Order\Item::getQtyToRefund(): only what was invoiced and not refunded yet.
            if ((float) $item->getQty() > (float) $orderItem->getQtyInvoiced() - (float) $orderItem->getQtyRefunded()) {
                throw new \Magento\Sales\Exception\DocumentValidationException(
                    new Phrase('The quantity to creditmemo must not be greater than the unrefunded quantity.')
                );
            }
            $row = (float) $item->getQty() * (float) $orderItem->getPriceInclTax();
            $total += $row;
            $memoItems[] = new CreditmemoItem([
                'order_item_id' => $orderItem->getItemId(),
                'product_id' => $orderItem->getProductId(),
                'qty' => (float) $item->getQty(),
                'row_total_incl_tax' => $row,
            ]);
        }
        // Magento_SalesInventory's CreditmemoDocumentFactoryPlugin: return_to_stock_items set back_to_stock.
        $back = array_map('intval', (array) $arguments?->getExtensionAttributes()?->getReturnToStockItems());
        foreach ($memoItems as $memoItem) {
            $memoItem->setData('back_to_stock', in_array((int) $memoItem->getOrderItemId(), $back, true));
        }
        $total += (float) $arguments?->getShippingAmount() + (float) $arguments?->getAdjustmentPositive()
            - (float) $arguments?->getAdjustmentNegative();
        $creditmemo = new Creditmemo([
            'order_id' => (int) $orderId,
            'grand_total' => round($total, 2),
            'order_currency_code' => $order->getOrderCurrencyCode(),
            'items' => $memoItems,
            'shipping_amount' => (float) $arguments?->getShippingAmount(),
            'adjustment_positive' => (float) $arguments?->getAdjustmentPositive(),
            'adjustment_negative' => (float) $arguments?->getAdjustmentNegative(),
        ]);
        if ($this->sales->creditmemoEvent) {
            call_user_func($this->sales->creditmemoEvent, 'sales_order_creditmemo_refund', $creditmemo);
        }
        foreach ($memoItems as $memoItem) {
            $orderItem = $byId[(int) $memoItem->getOrderItemId()];
            $orderItem->setData('qty_refunded', (float) $orderItem->getQtyRefunded() + (float) $memoItem->getQty());
        }
        $id = count($this->sales->creditmemos) + 1;
        $creditmemo->setData('entity_id', $id);
        $creditmemo->setData('increment_id', sprintf('%09d', $id));
        $this->sales->creditmemos[$id] = $creditmemo;
        if ($this->sales->creditmemoEvent) {
            call_user_func($this->sales->creditmemoEvent, 'sales_order_creditmemo_save_after', $creditmemo);
        }
        foreach ($memoItems as $memoItem) {
            if ($memoItem->getData('back_to_stock') && $this->sales->returnToStock) {
                $sku = (string) $byId[(int) $memoItem->getOrderItemId()]->getSku();
                call_user_func($this->sales->returnToStock, $sku, (float) $memoItem->getQty());
            }
        }
        return $id;
    }
}

final class CartDouble implements CartManagementInterface, CartRepositoryInterface
{
    public function __construct(private Sales $sales)
    {
    }

    public function createEmptyCart()
    {
        $id = count($this->sales->quotes) + 1;
        $this->sales->quotes[$id] = new Quote(['entity_id' => $id, 'is_active' => 1]);
        return $id;
    }

    public function get($cartId)
    {
        if (!isset($this->sales->quotes[(int) $cartId])) {
            throw new NoSuchEntityException(new Phrase('No such entity with %1 = %2', ['cartId', $cartId]));
        }
        return $this->sales->quotes[(int) $cartId];
    }

    public function save(CartInterface $quote)
    {
        $this->sales->quotes[(int) $quote->getData('entity_id')] = $quote;
    }
}

final class QuoteManagementDouble extends QuoteManagement
{
    /** @var string|null A refusal to raise on the next submit, as Magento's validators do. */
    public ?string $refuse = null;

    public function __construct(private Sales $sales, private ?StateDouble $state = null)
    {
    }

    public function submit(Quote $quote, $orderData = [])
    {
        if (null !== $this->state && null === $this->state->area) {
            // What Magento answers when an order is placed outside any area (bin/magento sets none).
            throw new LocalizedException(new Phrase('Area code is not set'));
        }
        if (null !== $this->refuse) {
            $message = $this->refuse;
            $this->refuse = null;
            throw new LocalizedException(new Phrase($message));
        }
        $shipping = $quote->getShippingAddress();
        $method = (string) $shipping->getData('shipping_method');
        if ('' === $method || false === $shipping->getShippingRateByCode($method)) {
            throw new LocalizedException(
                new Phrase('The shipping method is missing. Select the shipping method and try again.')
            );
        }
        if ('' === (string) $quote->getPayment()->getData('method')) {
            throw new LocalizedException(new Phrase('Enter a valid payment method and try again.'));
        }
        if (!$quote->getAllItems()) {
            throw new LocalizedException(new Phrase('The quote has no items.'));
        }
        $quote->collectTotals();
        $id = count($this->sales->orders) + 1;
        $items = [];
        $orderItems = [];
        foreach ($quote->getAllItems() as $item) {
            $items[] = [
                'sku' => $item->getData('sku'),
                'qty' => (int) $item->getData('qty'),
                'price' => $item->getData('custom_price'),
            ];
            $this->sales->nextItemId++;
            $orderItems[] = new OrderItem([
                'item_id' => $this->sales->nextItemId,
                'product_id' => $item->getData('product')->getId(),
                'sku' => $item->getData('sku'),
                'qty_ordered' => (float) $item->getData('qty'),
                'qty_refunded' => 0.0,
                'qty_invoiced' => 0.0,
                'price_incl_tax' => (float) $item->getData('custom_price'),
            ]);
        }
        $order = new Order(array_merge([
            'entity_id' => $id,
            'increment_id' => sprintf('%09d', $id),
            'state' => 'new',
            'status' => 'pending',
            'store_id' => $quote->getData('store_id'),
            'customer_email' => $quote->getData('customer_email'),
            'customer_is_guest' => $quote->getData('customer_is_guest'),
            'shipping_method' => $method,
            'shipping_amount' => $shipping->getData('shipping_amount'),
            'grand_total' => $quote->getData('grand_total'),
            'payment_method' => $quote->getPayment()->getData('method'),
            'shipping_address' => $shipping->getData(),
            'billing_address' => $quote->getBillingAddress()->getData(),
            'items' => $items,
            'order_items' => $orderItems,
            'order_currency_code' => 'GBP',
        ], (array) $orderData));
        $this->sales->orders[$id] = $order;
        $quote->setData('is_active', 0);
        if ($this->sales->afterPlace) {
            call_user_func($this->sales->afterPlace, $order);
        }
        return $order;
    }
}

final class OrderServiceDouble implements OrderRepositoryInterface, OrderManagementInterface
{
    public function __construct(private Sales $sales)
    {
    }

    public function get($id)
    {
        if (!isset($this->sales->orders[(int) $id])) {
            throw new NoSuchEntityException(
                new Phrase('The entity that was requested doesn\'t exist. Verify the entity and try again.')
            );
        }
        return $this->sales->orders[(int) $id];
    }

    public function save(OrderInterface $entity)
    {
        $this->sales->orders[(int) $entity->getEntityId()] = $entity;
        return $entity;
    }

    public function cancel($id)
    {
        $order = $this->get($id);
        if (!in_array($order->getState(), ['new', 'processing', 'pending_payment'], true)) {
            return false;
        }
        $order->setState('canceled');
        $order->setStatus('canceled');
        if ($this->sales->afterCancel) {
            call_user_func($this->sales->afterCancel, $order);
        }
        return true;
    }
}
