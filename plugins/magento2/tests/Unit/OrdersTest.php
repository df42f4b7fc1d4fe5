<?php

declare(strict_types=1);

namespace TikTokShopSync\ConnectorTests\Unit;

use PHPUnit\Framework\TestCase;
use TikTokShopSync\Connector\Model\Order\OrderCanceller;
use TikTokShopSync\Connector\Model\Order\OrderImporter;
use TikTokShopSync\Connector\Model\Order\OrderMap;
use TikTokShopSync\Connector\Model\Order\OrderRefunder;
use TikTokShopSync\Connector\Model\Order\RefundMap;
use TikTokShopSync\ConnectorTests\Support\MagentoStore;
use TikTokShopSync\ExtensionClient\Commands\CommandDeferred;
use TikTokShopSync\ExtensionClient\Commands\CommandFailure;

/**
 * order.create, order.cancel and order.refund against Magento's quote, order and refund services.
 */
final class OrdersTest extends TestCase
{
    private MagentoStore $store;

    protected function setUp(): void
    {
        $this->store = new MagentoStore();
        $this->store->connect(1, 'http://127.0.0.1:9', 'key', 'secret');
        $this->store->catalog->add(['entity_id' => 1, 'sku' => 'SOCK-M', 'name' => 'Sock', 'price' => '12.00'], 5);
        $this->store->appState->area = 'crontab'; // as when Magento's cron runs the poll
    }

    public static function order(string $id, array $lines = [], array $override = []): array
    {
        return array_replace_recursive([
            'tiktok_order_id' => $id,
            'status' => 'AWAITING_SHIPMENT',
            'currency' => 'GBP',
            'buyer' => ['name' => 'Jane Doe', 'email' => 'jane@example.com', 'phone' => '07700900123'],
            'shipping_address' => [
                'name' => 'Jane Doe',
                'line1' => '1 High Street',
                'line2' => 'Flat 2',
                'city' => 'London',
                'region' => 'Greater London',
                'postal_code' => 'SW1A 1AA',
                'country_code' => 'GB',
                'phone' => '07700900123',
            ],
            'lines' => $lines ?: [
                ['product_id' => '1', 'variant_id' => '1', 'sku' => 'SOCK-M', 'quantity' => 2, 'unit_price' => '9.99'],
            ],
            'totals' => [
                'subtotal' => '19.98',
                'shipping' => '2.50',
                'tax' => '3.75',
                'discount' => '0.00',
                'total' => '22.48',
            ],
            'payment_method' => 'TikTok Pay',
            'note' => 'TikTok Shop order ' . $id,
        ], $override);
    }

    private function import(array $order): array
    {
        return $this->store->get(OrderImporter::class)->import(1, $order);
    }

    private function failure(array $order): CommandFailure
    {
        try {
            $this->import($order);
        } catch (CommandFailure $e) {
            return $e;
        }
        $this->fail('The order was meant to fail.');
    }

    public function testAnOrderIsPlacedThroughAQuoteAtTikToksPrices(): void
    {
        $result = $this->import(self::order('576001'));
        $this->assertSame(['platform_order_id' => '000000001', 'created' => true], $result);
        $order = $this->store->sales->orders[1];
        $this->assertSame('576001', $order->getExtOrderId());
        $this->assertSame('processing', $order->getState());
        $this->assertSame(
            [['sku' => 'SOCK-M', 'qty' => 2, 'price' => 9.99]],
            $order->getData('items'),
            'TikTok\'s price, not the store\'s 12.00'
        );
        $this->assertSame(2.5, $order->getData('shipping_amount'));
        $this->assertEqualsWithDelta(22.48, $order->getData('grand_total'), 0.001);
        $this->assertSame('tiktokshop_tiktokshop', $order->getData('shipping_method'));
        $this->assertSame('tiktokshop', $order->getData('payment_method'));
        $this->assertSame(['1 High Street', 'Flat 2'], $order->getData('shipping_address')['street']);
        $this->assertSame('Doe', $order->getData('shipping_address')['lastname']);
        $this->assertSame('jane@example.com', $order->getData('customer_email'));
        $this->assertSame(1, $this->store->stores->currentStore);
    }

    public function testTheSameTikTokOrderTwiceIsOneMagentoOrder(): void
    {
        $first = $this->import(self::order('576002'));
        $again = $this->import(self::order('576002'));
        $this->assertSame($first['platform_order_id'], $again['platform_order_id']);
        $this->assertFalse($again['created']);
        $this->assertCount(1, $this->store->sales->orders);
    }

    public function testAnotherWorkersClaimDefersAndAStaleClaimIsTakenOver(): void
    {
        $this->assertTrue($this->store->get(OrderMap::class)->claim('576003', 1));
        try {
            $this->import(self::order('576003'));
            $this->fail('Another worker holds the claim.');
        } catch (CommandDeferred $e) {
            $this->assertCount(0, $this->store->sales->orders);
        }
        $this->store->db->update(
            'tiktokshop_order_map',
            ['claimed_at' => time() - 3600],
            ['tiktok_order_id = ?' => '576003']
        );
        $this->assertTrue($this->import(self::order('576003'))['created']);
    }

    public function testFailuresCarryTheReasonsTheHubKnows(): void
    {
        $c = $this->store->catalog;
        $c->add(['entity_id' => 2, 'sku' => 'OFF', 'name' => 'Off', 'price' => '1', 'status' => 2]);
        $c->add(['entity_id' => 3, 'sku' => 'EU', 'name' => 'EU', 'price' => '1'], 5, [2]);
        $line = static fn (string $id, string $sku, int $qty = 1): array => [
            ['product_id' => $id, 'variant_id' => $id, 'sku' => $sku, 'quantity' => $qty, 'unit_price' => '1.00'],
        ];
        $cases = [
            ['PRODUCT_DELETED', self::order('d', $line('404', 'GONE')), 'no longer exists in Magento'],
            ['PRODUCT_DISABLED', self::order('x', $line('2', 'OFF')), 'is disabled in Magento'],
            ['PRODUCT_DISABLED', self::order('w', $line('3', 'EU')), 'not sold on the Magento website base'],
            ['OUT_OF_STOCK', self::order('s', $line('1', 'SOCK-M', 6)), 'asks for 6 but Magento can sell 5'],
            [
                'INVALID_ADDRESS',
                self::order('a', [], ['shipping_address' => ['postal_code' => ' ']]),
                'lacks: postal_code',
            ],
            [
                'ADDRESS_REFUSED',
                self::order('c', [], ['shipping_address' => ['country_code' => 'US']]),
                'does not allow the country US',
            ],
            ['MISSING_FIELD', self::order('q', $line('1', 'SOCK-M', 0)), 'no positive whole quantity'],
        ];
        foreach ($cases as [$reason, $order, $message]) {
            $failure = $this->failure($order);
            $this->assertSame($reason, $failure->reason(), $message);
            $this->assertStringContainsString($message, $failure->getMessage());
        }
        $this->assertSame([], $this->store->sales->orders, 'no order was left behind');
        $this->assertSame(
            '0',
            (string) $this->store->db->fetchOne('SELECT COUNT(*) FROM tiktokshop_order_map'),
            'and no claim'
        );
    }

    public function testMagentoRefusingTheAddressAtSubmitIsAddressRefused(): void
    {
        $this->store->quoteManagement->refuse = 'Please check the shipping address information. "postcode" is'
            . ' required.';
        $failure = $this->failure(self::order('576009'));
        $this->assertSame('ADDRESS_REFUSED', $failure->reason());
        $this->assertNull($this->store->get(OrderMap::class)->find('576009'), 'the claim is released for a retry');
        $this->store->quoteManagement->refuse = 'Product that you are trying to add is not available.';
        $failure = $this->failure(self::order('576011'));
        $this->assertSame('PLATFORM_ERROR', $failure->reason());
        $this->assertTrue($failure->retryable(), 'a stock index cron has not updated yet: the hub tries again');
        $this->assertStringContainsString('stock index', $failure->getMessage());
        $this->store->quoteManagement->refuse = 'Deadlock found when trying to get lock';
        $failure = $this->failure(self::order('576010'));
        $this->assertSame('PLATFORM_ERROR', $failure->reason());
        $this->assertTrue($failure->retryable());
    }

    public function testCancelAskedByTheHubIsNotReportedBack(): void
    {
        $this->import(self::order('576004'));
        $result = $this->store->get(OrderCanceller::class)->cancel(
            ['tiktok_order_id' => '576004', 'platform_order_id' => '000000001', 'reason' => 'buyer']
        );
        $this->assertSame(['platform_order_id' => '000000001'], $result);
        $this->assertSame('canceled', $this->store->sales->orders[1]->getState());
        $this->assertSame([], $this->orderRows());
        $again = $this->store->get(OrderCanceller::class)->cancel(['tiktok_order_id' => '576004']);
        $this->assertSame('000000001', $again['platform_order_id'], 'already cancelled is done');
    }

    public function testShipmentsCancellationsAndRefundsOfTikTokOrdersAreReported(): void
    {
        $this->import(self::order('576005'));
        $track = $this->createConfiguredMock(\Magento\Sales\Api\Data\ShipmentTrackInterface::class, [
            'getOrderId' => 1,
            'getTrackNumber' => ' JD014600003GB ',
            'getCarrierCode' => 'custom',
            'getTitle' => 'Royal Mail',
            'getCreatedAt' => '2026-12-03 10:00:00',
        ]);
        $this->store->dispatch('sales_order_shipment_track_save_after', ['track' => $track]);
        $this->store->sales->orders[1]->setState('processing');
        $this->store->get(\Magento\Sales\Api\OrderManagementInterface::class)->cancel(1);
        $events = [];
        foreach ($this->orderRows() as $row) {
            $events[$row['event_type']] = json_decode($row['payload'], true);
        }
        $this->assertSame('576005', $events['order.fulfilled']['tiktok_order_id']);
        $this->assertSame('JD014600003GB', $events['order.fulfilled']['tracking_number']);
        $this->assertSame('Royal Mail', $events['order.fulfilled']['carrier']);
        $this->assertSame('2026-12-03T10:00:00Z', $events['order.fulfilled']['shipped_at']);
        $this->assertSame('Cancelled in Magento', $events['order.cancelled']['reason']);
        // An order that did not come from TikTok is nobody's business at the hub.
        $this->store->sales->orders[7] = new \Magento\Sales\Model\Order(
            ['entity_id' => 7, 'increment_id' => '7', 'state' => 'new']
        );
        $this->store->dispatch('order_cancel_after', ['order' => $this->store->sales->orders[7]]);
        $this->assertCount(2, $this->orderRows());
    }

    private static function refund(string $orderId, string $returnId, array $override = []): array
    {
        return array_replace([
            'tiktok_order_id' => $orderId,
            'platform_order_id' => '000000001',
            'tiktok_return_id' => $returnId,
            'currency' => 'GBP',
            'amount' => '9.99',
            'shipping' => '0',
            'reason' => 'Wrong size',
            'lines' => [
                ['product_id' => '1', 'variant_id' => '1', 'sku' => 'SOCK-M', 'quantity' => 1, 'amount' => '9.99',
                    'restock' => true],
            ],
        ], $override);
    }

    private function refundFailure(array $payload): CommandFailure
    {
        try {
            $this->store->get(OrderRefunder::class)->refund($payload);
        } catch (CommandFailure $e) {
            return $e;
        }
        $this->fail('The refund was meant to fail.');
    }

    public function testOrderRefundMakesOneCreditMemoPerTikTokReturnAndRestocks(): void
    {
        $this->import(self::order('576020'));
        $stock = $this->store->catalog->stock['SOCK-M']['qty'];
        $refunder = $this->store->get(OrderRefunder::class);
        $result = $refunder->refund(self::refund('576020', '4036001'));
        $this->assertSame(['platform_order_id' => '000000001', 'platform_refund_id' => '1'], $result);
        $memo = $this->store->sales->creditmemos[1];
        $this->assertSame(1, $memo->getOrderId());
        $this->assertSame(1.0, $memo->getItems()[0]->getQty());
        $this->assertEqualsWithDelta(9.99, $memo->getGrandTotal(), 0.001, 'TikTok\'s amount');
        $this->assertSame($stock + 1, $this->store->catalog->stock['SOCK-M']['qty'], 'the sock came back');
        $this->assertSame([1 => 1], $this->store->sales->invoices, 'Magento refunds invoiced items only');

        $again = $refunder->refund(self::refund('576020', '4036001'));
        $this->assertSame($result, $again, 'the command handed out again reports the same credit memo');
        $this->assertCount(1, $this->store->sales->creditmemos);
        $this->assertSame($stock + 1, $this->store->catalog->stock['SOCK-M']['qty']);
        $this->assertSame([], $this->orderRows(), 'a refund that started on TikTok is not echoed as order.refunded');
    }

    public function testOrderRefundMatchesTikToksAmountAndDoesNotRestockARefundWithoutReturn(): void
    {
        $this->import(self::order('576021'));
        $stock = $this->store->catalog->stock['SOCK-M']['qty'];
        // A partial refund of one sock (5.00 of 9.99) plus 2.50 shipping, the sock kept by the buyer.
        $result = $this->store->get(OrderRefunder::class)->refund(self::refund('576021', '4036002', [
            'amount' => '7.50',
            'shipping' => '2.50',
            'lines' => [['variant_id' => '1', 'sku' => 'SOCK-M', 'quantity' => 1, 'amount' => '5.00',
                'restock' => false]],
        ]));
        $memo = $this->store->sales->creditmemos[(int) $result['platform_refund_id']];
        $this->assertEqualsWithDelta(7.50, $memo->getGrandTotal(), 0.001);
        $this->assertSame(2.5, $memo->getData('shipping_amount'));
        $this->assertEqualsWithDelta(4.99, $memo->getData('adjustment_negative'), 0.001);
        $this->assertSame($stock, $this->store->catalog->stock['SOCK-M']['qty']);
        $second = $this->store->get(OrderRefunder::class)->refund(self::refund('576021', '4036003'));
        $this->assertSame('2', $second['platform_refund_id'], 'another TikTok return is another credit memo');
        $this->assertCount(1, $this->store->sales->invoices, 'an invoiced order is not invoiced again');
    }

    public function testOrderRefundFailuresCarryTheReasonsTheHubKnows(): void
    {
        $this->import(self::order('576022'));
        $cases = [
            ['PLATFORM_ERROR', self::refund('404404', 'r1'), 'No Magento order was created for TikTok order 404404'],
            ['MISSING_FIELD', self::refund('576022', ''), 'has no tiktok_return_id'],
            ['MISSING_FIELD', self::refund('576022', 'r2', ['amount' => '1,50']), 'must be a decimal'],
            [
                'PRODUCT_DELETED',
                self::refund('576022', 'r3', ['lines' => [['variant_id' => '77', 'sku' => 'HAT', 'quantity' => 1]]]),
                'has no line for product 77',
            ],
            [
                'PLATFORM_ERROR',
                self::refund('576022', 'r4', ['lines' => [['variant_id' => '1', 'quantity' => 3]]]),
                'TikTok refunded 3 of SOCK-M but Magento can refund only 2',
            ],
        ];
        foreach ($cases as [$reason, $payload, $message]) {
            $failure = $this->refundFailure($payload);
            $this->assertSame($reason, $failure->reason(), $message);
            $this->assertContains($failure->reason(), CommandFailure::REASONS);
            $this->assertStringContainsString($message, $failure->getMessage());
        }
        $this->store->sales->orders[1]->setState('closed');
        $failure = $this->refundFailure(self::refund('576022', 'r5'));
        $this->assertSame('PLATFORM_ERROR', $failure->reason());
        $this->assertStringContainsString('Magento refused the credit memo for order 0000', $failure->getMessage());
        $this->assertSame([], $this->store->sales->creditmemos);
        $this->assertNull($this->store->get(RefundMap::class)->find('r5'), 'the claim is released for a retry');
    }

    public function testAnotherWorkersRefundClaimDefers(): void
    {
        $this->import(self::order('576023'));
        $this->assertTrue($this->store->get(RefundMap::class)->claim('r9', '576023', 1));
        try {
            $this->store->get(OrderRefunder::class)->refund(self::refund('576023', 'r9'));
            $this->fail('Another worker holds the claim.');
        } catch (CommandDeferred $e) {
            $this->assertSame([], $this->store->sales->creditmemos);
        }
    }

    public function testAMerchantsCreditMemoIsReportedAsOrderRefundedOnce(): void
    {
        $this->import(self::order('576012'));
        $orderItem = $this->store->sales->orders[1]->getItems()[0];
        $creditmemo = new \Magento\Sales\Model\Order\Creditmemo([
            'order_id' => 1,
            'grand_total' => 9.99,
            'order_currency_code' => 'GBP',
            'items' => [new \Magento\Sales\Model\Order\Creditmemo\Item([
                'order_item_id' => $orderItem->getItemId(),
                'product_id' => 1,
                'qty' => 1.0,
                'row_total_incl_tax' => 9.99,
                'back_to_stock' => true,
            ])],
        ]);
        // As Magento's RefundOperation and the credit memo's save: the refund event, then save_after.
        $this->store->dispatch('sales_order_creditmemo_refund', ['creditmemo' => $creditmemo]);
        $creditmemo->setData('entity_id', 31);
        $creditmemo->setData('increment_id', '000000031');
        $this->store->dispatch('sales_order_creditmemo_save_after', ['creditmemo' => $creditmemo]);
        $this->store->dispatch('sales_order_creditmemo_save_after', ['creditmemo' => $creditmemo]);
        $rows = $this->orderRows();
        $this->assertCount(1, $rows, 'a later save of the credit memo reports nothing');
        $this->assertSame('order.refunded', $rows[0]['event_type']);
        $event = json_decode($rows[0]['payload'], true);
        $this->assertSame(
            ['576012', '000000001', '31', '9.99', 'GBP'],
            [$event['tiktok_order_id'], $event['platform_order_id'], $event['platform_refund_id'], $event['amount'],
                $event['currency']]
        );
        $this->assertSame(
            [['product_id' => '1', 'variant_id' => '1', 'quantity' => 1, 'amount' => '9.99', 'restocked' => true]],
            $event['lines']
        );
        // A credit memo of an order that did not come from TikTok is not reported.
        $this->store->sales->orders[7] = new \Magento\Sales\Model\Order(
            ['entity_id' => 7, 'increment_id' => '7', 'state' => 'processing']
        );
        $other = new \Magento\Sales\Model\Order\Creditmemo(['order_id' => 7, 'items' => []]);
        $this->store->dispatch('sales_order_creditmemo_refund', ['creditmemo' => $other]);
        $this->store->dispatch('sales_order_creditmemo_save_after', ['creditmemo' => $other]);
        $this->assertCount(1, $this->orderRows());
    }

    private function orderRows(): array
    {
        return array_values(
            array_filter($this->store->outbox(), static fn ($r) => str_starts_with($r['event_type'], 'order.'))
        );
    }
}
