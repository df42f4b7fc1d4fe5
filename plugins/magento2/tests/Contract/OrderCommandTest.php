<?php

declare(strict_types=1);

namespace TikTokShopSync\ConnectorTests\Contract;

use Symfony\Component\Console\Tester\CommandTester;
use TikTokShopSync\Connector\Console\Command\CommandsRunCommand;
use TikTokShopSync\Connector\Model\Hub\ClientFactory;
use TikTokShopSync\ExtensionClient\Commands\CommandProcessor;

/**
 * Commands from the live hub: TikTok orders become one Magento order each, failures come back with
 * reasons the hub accepts, cancellations and catalog resends are carried out.
 */
final class OrderCommandTest extends LiveHubTestCase
{
    private function line(\Magento\Catalog\Model\Product $product, int $qty = 2): array
    {
        $id = (string) $product->getId();
        return [
            'product_id' => $id,
            'variant_id' => $id,
            'sku' => $product->getSku(),
            'quantity' => $qty,
            'unit_price' => '9.99',
        ];
    }

    public function testATwiceDeliveredOrderCreateCreatesOneOrder(): void
    {
        $product = $this->product(1, [], 10);
        $tiktokId = '5769' . random_int(100000000, 999999999);
        $payload = ['order' => self::order($tiktokId, [$this->line($product)])];
        $created = $this->hub->createCommand('order.create', $payload);
        $this->assertTrue($created['created']);

        $summary = $this->poll();
        $this->assertSame(1, $summary['received']);
        $this->assertSame(1, $summary['done'], json_encode($summary));
        $this->assertCount(1, $this->store->sales->orders);
        $order = $this->store->sales->orders[1];
        $this->assertSame($tiktokId, $order->getExtOrderId());

        // Handed out again (a second command for the same order, as after a lost result) ...
        $this->hub->createCommand('order.create', $payload, 'redelivery-' . $tiktokId);
        $this->poll();
        // ... and the very same command processed twice, as when a lease runs out mid-way.
        (new CommandProcessor($this->store->get(ClientFactory::class)->forWebsite(1), 'Magento 2'))
            ->on(
                'order.create',
                fn (array $p) => $this->store->get(
                    \TikTokShopSync\Connector\Model\Order\OrderImporter::class
                )->import(1, $p['order'])
            )
            ->process(['id' => $created['command_id'], 'type' => 'order.create', 'payload' => $payload]);

        $this->assertCount(1, $this->store->sales->orders, 'still exactly one order');
        $results = $this->http->results();
        $this->assertCount(3, $results);
        foreach ($results as $result) {
            $this->assertSame(['status' => 'done', 'platform_order_id' => '000000001'], $result['body']);
            $this->assertContains($result['status'], [200, 409], $result['answer']);
        }
        $this->assertSame(200, $results[0]['status']);
        // The reservation the order made reaches the hub as a stock change.
        $stock = $this->http->answeredEvents('inventory.update');
        $this->assertNotEmpty($stock);
        $this->assertSame(8, $stock[0]['event']['items'][0]['quantity']);
        $this->assertSame('accepted', $stock[0]['result']['status']);
    }

    public function testBinMagentoCommandsRunPlacesTheOrder(): void
    {
        $product = $this->product(5);
        $tiktokId = 'T-CLI-' . $this->base;
        $this->hub->createCommand('order.create', ['order' => self::order($tiktokId, [$this->line($product, 1)])]);
        $this->store->appState->area = null; // bin/magento sets no area
        $tester = new CommandTester($this->store->objects->create(CommandsRunCommand::class));
        $this->assertSame(0, $tester->execute(['--website' => '1']), $tester->getDisplay());
        $this->assertStringContainsString('Website 1: 1 received, 1 done, 0 failed', $tester->getDisplay());
        $this->assertSame($tiktokId, $this->store->sales->orders[1]->getExtOrderId());
        $this->assertSame(['crontab'], $this->store->appState->emulated);
    }

    public function testFailuresReachTheHubWithReasonsItAccepts(): void
    {
        $disabled = $this->product(10, ['status' => 2]);
        $fine = $this->product(11);
        $ids = [];
        $cases = [
            'PRODUCT_DISABLED' => self::order('T-DIS-' . $this->base, [$this->line($disabled, 1)]),
            'ADDRESS_REFUSED' => self::order(
                'T-CTY-' . $this->base,
                [$this->line($fine, 1)],
                ['shipping_address' => ['country_code' => 'US']]
            ),
            'PRODUCT_DELETED' => self::order(
                'T-DEL-' . $this->base,
                [['product_id' => '1', 'variant_id' => '1', 'sku' => 'NOPE', 'quantity' => 1, 'unit_price' => '1.00']]
            ),
            'OUT_OF_STOCK' => self::order('T-OOS-' . $this->base, [$this->line($fine, 99)]),
        ];
        foreach ($cases as $reason => $order) {
            $ids[$this->hub->createCommand('order.create', ['order' => $order])['command_id']] = $reason;
        }
        $summary = $this->poll();
        $this->assertSame('', $summary['error'], 'every result was accepted by the hub');
        $this->assertSame(4, $summary['failed']);
        $results = $this->http->results();
        $this->assertCount(4, $results);
        foreach ($results as $result) {
            $this->assertSame(200, $result['status'], $result['answer']);
            $this->assertSame('failed', $result['body']['status']);
            $this->assertSame($ids[$result['command_id']], $result['body']['reason']);
        }
        $this->assertSame([], $this->store->sales->orders);
    }

    public function testCancelFulfilAndResendCommands(): void
    {
        $product = $this->product(20);
        $shipped = 'T-SHIP-' . $this->base;
        $cancelled = 'T-CNL-' . $this->base;
        $this->hub->createCommand('order.create', ['order' => self::order($shipped, [$this->line($product, 1)])]);
        $this->hub->createCommand('order.create', ['order' => self::order($cancelled, [$this->line($product, 1)])]);
        $this->assertSame(2, $this->poll()['done']);

        $this->hub->createCommand(
            'order.cancel',
            [
                'tiktok_order_id' => $cancelled,
                'platform_order_id' => '000000002',
                'reason' => 'Buyer changed their mind',
            ]
        );
        $this->assertSame(1, $this->poll()['done']);
        $this->assertSame('canceled', $this->store->sales->orders[2]->getState());

        $track = $this->createConfiguredMock(\Magento\Sales\Api\Data\ShipmentTrackInterface::class, [
            'getOrderId' => 1,
            'getTrackNumber' => 'RM123456789GB',
            'getCarrierCode' => 'royalmail',
            'getTitle' => 'Royal Mail',
            'getCreatedAt' => '2026-12-03 11:00:00',
        ]);
        $this->store->dispatch('sales_order_shipment_track_save_after', ['track' => $track]);
        $this->store->endRequest();
        $fulfilled = $this->http->answeredEvents('order.fulfilled');
        $this->assertCount(1, $fulfilled);
        $this->assertSame('accepted', $fulfilled[0]['result']['status'], json_encode($fulfilled[0]['result']));
        $this->assertSame($shipped, $fulfilled[0]['event']['tiktok_order_id']);
        $this->assertSame(
            [],
            $this->http->answeredEvents('order.cancelled'),
            'a cancellation the hub asked for is not echoed'
        );

        $this->hub->createCommand(
            'catalog.resend',
            ['product_ids' => [(string) $product->getId()]],
            'resend-' . $this->base
        );
        $this->poll();
        $resent = $this->http->answeredEvents('product.upsert');
        $this->assertSame((string) $product->getId(), end($resent)['event']['product']['id']);
    }

    public function testOrderRefundIsOneCreditMemoAndAMerchantsCreditMemoIsAccepted(): void
    {
        $product = $this->product(40, [], 10);
        $tiktokId = 'T-RFD-' . $this->base;
        $this->hub->createCommand('order.create', ['order' => self::order($tiktokId, [$this->line($product, 2)])]);
        $this->assertSame(1, $this->poll()['done']);
        $refund = [
            'tiktok_order_id' => $tiktokId,
            'platform_order_id' => '000000001',
            'tiktok_return_id' => 'RET-' . $this->base,
            'currency' => 'GBP',
            'amount' => '9.99',
            'shipping' => '0',
            'reason' => 'Wrong size',
            'lines' => [['product_id' => (string) $product->getId(), 'variant_id' => (string) $product->getId(),
                'sku' => $product->getSku(), 'quantity' => 1, 'amount' => '9.99', 'restock' => true]],
        ];
        $created = $this->hub->createCommand('order.refund', $refund);
        $this->assertSame(1, $this->poll()['done']);
        // The very same command processed again, as when a lease runs out mid-way.
        (new CommandProcessor($this->store->get(ClientFactory::class)->forWebsite(1), 'Magento 2'))
            ->on(
                'order.refund',
                fn (array $p) => $this->store->get(\TikTokShopSync\Connector\Model\Order\OrderRefunder::class)
                    ->refund($p)
            )
            ->process(['id' => $created['command_id'], 'type' => 'order.refund', 'payload' => $refund]);
        $this->assertCount(1, $this->store->sales->creditmemos, 'one credit memo per TikTok return');
        $results = array_values(array_filter(
            $this->http->results(),
            static fn (array $r): bool => $r['command_id'] === $created['command_id']
        ));
        $this->assertCount(2, $results);
        $this->assertSame(200, $results[0]['status'], $results[0]['answer']);
        foreach ($results as $result) {
            $this->assertSame(
                ['status' => 'done', 'platform_order_id' => '000000001', 'platform_refund_id' => '1'],
                $result['body']
            );
        }
        $this->store->endRequest();
        $this->assertSame([], $this->http->answeredEvents('order.refunded'), 'TikTok\'s own refund is not echoed');

        // The merchant refunds the other sock in Magento: order.refunded, accepted by the hub.
        $orderItem = $this->store->sales->orders[1]->getItems()[0];
        $memo = new \Magento\Sales\Model\Order\Creditmemo(['order_id' => 1, 'grand_total' => 9.99,
            'order_currency_code' => 'GBP', 'items' => [new \Magento\Sales\Model\Order\Creditmemo\Item([
                'order_item_id' => $orderItem->getItemId(), 'product_id' => $product->getId(), 'qty' => 1.0,
                'row_total_incl_tax' => 9.99,
            ])]]);
        $this->store->dispatch('sales_order_creditmemo_refund', ['creditmemo' => $memo]);
        $memo->setData('entity_id', 2);
        $memo->setData('increment_id', '000000002');
        $this->store->dispatch('sales_order_creditmemo_save_after', ['creditmemo' => $memo]);
        $this->store->endRequest();
        $refunded = $this->http->answeredEvents('order.refunded');
        $this->assertCount(1, $refunded);
        $this->assertSame('accepted', $refunded[0]['result']['status'], json_encode($refunded[0]['result']));
        $this->assertSame('2', $refunded[0]['event']['platform_refund_id']);
    }
}
