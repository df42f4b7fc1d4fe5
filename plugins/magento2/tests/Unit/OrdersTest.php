<?php

declare(strict_types=1);

namespace TikTokShopSync\ConnectorTests\Unit;

use PHPUnit\Framework\TestCase;
use TikTokShopSync\Connector\Model\Order\OrderCanceller;
use TikTokShopSync\Connector\Model\Order\OrderImporter;
use TikTokShopSync\Connector\Model\Order\OrderMap;
use TikTokShopSync\ConnectorTests\Support\MagentoStore;
use TikTokShopSync\ExtensionClient\Commands\CommandDeferred;
use TikTokShopSync\ExtensionClient\Commands\CommandFailure;

/**
 * order.create and order.cancel against Magento's quote and order services.
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

    public function testARefundOfATikTokOrderIsReportedOnce(): void
    {
        $this->import(self::order('576012'));
        $creditmemo = new \Magento\Framework\DataObject(['order_id' => 1, 'grand_total' => 22.48]);
        $this->store->dispatch('sales_order_creditmemo_refund', ['creditmemo' => $creditmemo]);
        $this->store->dispatch('sales_order_creditmemo_refund', ['creditmemo' => $creditmemo]);
        $rows = $this->orderRows();
        $this->assertCount(1, $rows, 'a second refund replaces the unsent report');
        $event = json_decode($rows[0]['payload'], true);
        $this->assertSame(
            ['576012', '000000001', 'Refunded in Magento'],
            [$event['tiktok_order_id'], $event['platform_order_id'], $event['reason']]
        );
    }

    private function orderRows(): array
    {
        return array_values(
            array_filter($this->store->outbox(), static fn ($r) => str_starts_with($r['event_type'], 'order.'))
        );
    }
}
