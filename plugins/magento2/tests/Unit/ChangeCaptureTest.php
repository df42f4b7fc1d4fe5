<?php

declare(strict_types=1);

namespace TikTokShopSync\ConnectorTests\Unit;

use PHPUnit\Framework\TestCase;
use TikTokShopSync\Connector\Plugin\LegacyStockItemPlugin;
use TikTokShopSync\Connector\Plugin\SourceItemsSavePlugin;
use TikTokShopSync\ConnectorTests\Support\MagentoStore;
use TikTokShopSync\ConnectorTests\Support\SourceItemDouble;
use TikTokShopSync\ConnectorTests\Support\SourceItemsSaveDouble;
use TikTokShopSync\ConnectorTests\Support\StockItemDouble;

/**
 * What lands in the outbox when products change in Magento (the hub is not reached here: nothing
 * listens on the configured port, so rows stay).
 */
final class ChangeCaptureTest extends TestCase
{
    private MagentoStore $store;

    protected function setUp(): void
    {
        $this->store = new MagentoStore();
        $this->store->connect(1, 'http://127.0.0.1:9', 'key', 'secret');
        $this->store->catalog->add(['entity_id' => 1, 'sku' => 'A', 'name' => 'A', 'price' => '5']);
    }

    public function testAProductSaveAndItsSourceItemSaveAreOneChange(): void
    {
        $this->store->saveProduct($this->store->catalog->product(1), ['price' => '6'], 4);
        $rows = $this->store->outbox();
        $this->assertCount(1, $rows);
        $this->assertSame('product.upsert', $rows[0]['event_type']);
        $this->assertSame('product:1', $rows[0]['dedupe_key']);
        $this->assertNull($rows[0]['payload'], 'serialised when sent, after the commit');
    }

    public function testTheRowIsWrittenInTheSaveTransaction(): void
    {
        try {
            $this->store->saveProduct($this->store->catalog->product(1), ['price' => '6'], null, true);
            $this->fail('The save was meant to fail.');
        } catch (\RuntimeException $e) {
            $this->assertSame([], $this->store->outbox(), 'rolled back with the product');
        }
    }

    public function testAStockOnlyChangeIsAnInventoryUpdateAndAChildSendsItsParent(): void
    {
        $c = $this->store->catalog;
        $c->add(['entity_id' => 10, 'sku' => 'P', 'name' => 'P', 'type_id' => 'configurable']);
        $c->add(['entity_id' => 11, 'sku' => 'P-S', 'name' => 'P S', 'visibility' => 1, 'price' => '5']);
        $c->link(10, [11], []);
        $this->store->get(SourceItemsSavePlugin::class)->afterExecute(
            new SourceItemsSaveDouble(),
            null,
            [new SourceItemDouble('P-S', 2.0)]
        );
        $types = array_column($this->store->outbox(), 'event_type', 'dedupe_key');
        $this->assertSame(['product:10' => 'inventory.update', 'product:11' => 'inventory.update'], $types);
        // A later full save of the parent takes over its pending stock row.
        $this->store->saveProduct($c->product(10));
        $types = array_column($this->store->outbox(), 'event_type', 'dedupe_key');
        $this->assertSame('product.upsert', $types['product:10']);
        $this->assertCount(2, $this->store->outbox());
    }

    public function testLegacyStockItemsAreSeen(): void
    {
        $this->store->get(LegacyStockItemPlugin::class)->afterSave(
            $this->createMock(\Magento\CatalogInventory\Api\StockItemRepositoryInterface::class),
            null,
            new StockItemDouble($this->store->catalog, 'A')
        );
        $this->assertSame('inventory.update', $this->store->outbox()[0]['event_type']);
    }

    public function testMassAttributeUpdatesRecordEveryProduct(): void
    {
        $this->store->catalog->add(['entity_id' => 2, 'sku' => 'B', 'name' => 'B', 'price' => '5']);
        $this->store->dispatch(
            'catalog_product_attribute_update_before',
            ['product_ids' => ['1', '2'], 'attributes_data' => ['status' => 2], 'store_id' => 0]
        );
        $this->assertSame(['product:1', 'product:2'], array_column($this->store->outbox(), 'dedupe_key'));
    }

    public function testADeleteReplacesThePendingUpsert(): void
    {
        $product = $this->store->catalog->product(1);
        $this->store->saveProduct($product, ['name' => 'A2']);
        $before = $this->store->outbox()[0]['event_id'];
        $this->store->deleteProduct($product);
        $rows = $this->store->outbox();
        $this->assertCount(1, $rows);
        $this->assertSame('product.delete', $rows[0]['event_type']);
        $this->assertNotSame(
            $before,
            $rows[0]['event_id'],
            'a replaced event gets a new id (the hub ignores repeated ids)'
        );
    }

    public function testNothingIsRecordedWhileSyncIsOffOrIncomplete(): void
    {
        $this->store->config->set('tiktokshop/connection/enabled', '0', 1);
        $this->store->saveProduct($this->store->catalog->product(1), ['price' => '7']);
        $this->store->connect(1, 'http://127.0.0.1:9', 'key', '');
        $this->store->saveProduct($this->store->catalog->product(1), ['price' => '8']);
        $this->assertSame([], $this->store->outbox());
    }

    public function testEachEnabledWebsiteGetsItsOwnRow(): void
    {
        $this->store->connect(2, 'http://127.0.0.1:9', 'key2', 'secret2');
        $this->store->saveProduct($this->store->catalog->product(1), ['price' => '7']);
        $this->assertSame(['1', '2'], array_column($this->store->outbox(), 'website_id'));
    }
}
