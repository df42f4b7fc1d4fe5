<?php

declare(strict_types=1);

namespace TikTokShopSync\ConnectorTests\Contract;

use Magento\Framework\View\Element\UiComponent\ContextInterface;
use Magento\Framework\View\Element\UiComponentFactory;
use Symfony\Component\Console\Tester\CommandTester;
use TikTokShopSync\Connector\Api\CatalogSenderInterface;
use TikTokShopSync\Connector\Console\Command\CatalogSendCommand;
use TikTokShopSync\Connector\Api\OutboxPusherInterface;
use TikTokShopSync\Connector\Cron\FlushOutbox;
use TikTokShopSync\Connector\Model\Catalog\StoreFacts;
use TikTokShopSync\Connector\Model\Hub\ClientFactory;
use TikTokShopSync\Connector\Ui\Component\Listing\Column\TikTokStatus;
use TikTokShopSync\ConnectorTests\Support\MediaEntryDouble;
use TikTokShopSync\ExtensionClient\HubException;

/**
 * Product changes reach the live hub: signed, accepted by its validation, once per change.
 */
final class ProductSyncTest extends LiveHubTestCase
{
    public function testAProductSaveReachesTheHubOnceRightAfterTheRequest(): void
    {
        $product = $this->product(1);
        $this->store->saveProduct($product, ['price' => '13.50'], 6);
        $this->assertSame([], $this->http->exchanges, 'nothing is sent inside the save');
        $this->store->endRequest();

        $events = $this->http->answeredEvents();
        $this->assertCount(1, $events, 'the product save and its MSI source-item save are one change');
        $this->assertSame('product.upsert', $events[0]['event']['type']);
        $this->assertSame('accepted', $events[0]['result']['status'], json_encode($events[0]['result']));
        $this->assertSame('13.50', $events[0]['event']['product']['variants'][0]['price']);
        $this->assertSame(6, $events[0]['event']['product']['variants'][0]['quantity']);
        $this->assertSame([], $this->store->outbox(), 'delivered events leave the outbox');
        $hubProducts = $this->hub->products();
        $this->assertArrayHasKey((string) $product->getId(), $hubProducts);
    }

    public function testConfigurableProductsStoreFactsAndDeletionsAreAccepted(): void
    {
        $c = $this->store->catalog;
        $c->attribute(93, 'color', ['51' => 'Red', '52' => 'Blue']);
        $parent = $this->product(10, ['type_id' => 'configurable', 'price' => null, 'weight' => null,
            'media_gallery_entries' => [new MediaEntryDouble('/t/e/tee.jpg', 1, ['image'])]]);
        $red = $this->product(
            11,
            ['visibility' => 1, 'custom_attributes' => ['color' => '51', 'gtin' => '5012345678900']]
        );
        $blue = $this->product(
            12,
            ['visibility' => 1, 'custom_attributes' => ['color' => '52', 'gtin' => '4006381333931']]
        );
        $c->link(
            (int) $parent->getId(),
            [(int) $red->getId(), (int) $blue->getId()],
            [['attribute_id' => 93, 'label' => 'Colour']]
        );
        $gone = $this->product(13);
        $this->store->get(StoreFacts::class)->queue(1);
        $this->store->saveProduct($parent);
        $this->store->saveProduct($gone);
        $this->store->deleteProduct($gone);
        $this->store->endRequest();

        $answered = $this->http->answeredEvents();
        $this->assertSame(
            ['store.update', 'product.upsert', 'product.delete'],
            array_column(array_column($answered, 'event'), 'type')
        );
        foreach ($answered as $row) {
            $this->assertSame('accepted', $row['result']['status'], json_encode($row));
        }
        $this->assertSame('GBP', $answered[0]['event']['store']['currency']);
        $this->assertSame(['order.refund'], $answered[0]['event']['store']['capabilities'], 'accepted by the hub');
        $this->assertSame(['Colour' => 'Blue'], $answered[1]['event']['product']['variants'][1]['options']);
    }

    public function testTheOutboxSurvivesTheHubBeingDown(): void
    {
        $product = $this->product(20);
        $this->hub->stop();
        try {
            $this->store->saveProduct($product, ['price' => '15.00']);
            $summary = $this->store->endRequest()[1];
            $this->assertSame(1, $summary['deferred']);
            $rows = $this->store->outbox();
            $this->assertCount(1, $rows);
            $this->assertSame('1', (string) $rows[0]['attempts']);
            $this->assertStringContainsString('could not be reached', $rows[0]['last_error']);
            $this->assertNotNull($rows[0]['payload'], 'the serialised event is kept: a retry sends the same event');
            $frozen = $rows[0]['payload'];
            $this->store->get(FlushOutbox::class)->execute();
            $this->assertCount(1, $this->store->outbox(), 'cron does not hammer the hub during the backoff');
        } finally {
            $this->hub->start();
        }
        // The next command poll finds the hub again: the backlog is due at once and is pushed.
        $this->poll();
        $this->assertSame([], $this->store->outbox());
        $delivered = $this->http->answeredEvents('product.upsert');
        $this->assertCount(1, $delivered);
        $this->assertSame('accepted', $delivered[0]['result']['status']);
        $this->assertSame(json_decode($frozen, true), $delivered[0]['event']);
        $this->assertArrayHasKey((string) $product->getId(), $this->hub->products());
    }

    public function testCatalogSendQueuesEveryProductOfTheWebsite(): void
    {
        $this->product(30);
        $this->product(31);
        $count = $this->store->get(CatalogSenderInterface::class)->send(1, [$this->base + 30, $this->base + 31]);
        $this->assertSame(2, $count);
        $summary = $this->store->get(OutboxPusherInterface::class)->flush(1)[1];
        $this->assertSame(3, $summary['delivered'], 'store.update and two products');
    }

    public function testBinMagentoCatalogSendDeliversTheProducts(): void
    {
        $product = $this->product(35);
        $tester = new CommandTester($this->store->objects->create(CatalogSendCommand::class));
        $this->assertSame(0, $tester->execute(['--website' => '1', '--product' => [(string) $product->getId()]]));
        $this->assertStringContainsString('Website 1: 1 products queued; 2 events delivered, 0 refused, 0'
            . ' waiting', $tester->getDisplay());
        $this->assertSame(['crontab'], $this->store->appState->emulated);
        $this->assertArrayHasKey((string) $product->getId(), $this->hub->products());
    }

    public function testTheProductGridShowsTheHubsStatus(): void
    {
        $product = $this->product(40);
        $this->store->saveProduct($product);
        $this->store->endRequest();
        $this->store->objects->set(ContextInterface::class, $this->createMock(ContextInterface::class));
        $this->store->objects->set(UiComponentFactory::class, $this->createMock(UiComponentFactory::class));
        $column = $this->store->objects->create(TikTokStatus::class);
        $column->setData('name', 'tiktok_status');
        $data = $column->prepareDataSource(
            ['data' => ['items' => [['entity_id' => (string) $product->getId()], ['entity_id' => '1']]]]
        );
        $status = (string) ($this->hub->products()[(string) $product->getId()]['status'] ?? '');
        $this->assertNotSame('', $status);
        $this->assertStringContainsString(htmlspecialchars($status), $data['data']['items'][0]['tiktok_status']);
        $this->assertStringContainsString('Not sent yet', $data['data']['items'][1]['tiktok_status']);
        $this->assertStringContainsString(
            'title="The hub has not received this product',
            $data['data']['items'][1]['tiktok_status'],
            'the reason on hover'
        );
    }

    public function testAWrongSecretIsExplainedByTheHub(): void
    {
        $client = $this->store->get(ClientFactory::class)->forSettings(
            $this->hub->url,
            $this->hub->keyId,
            'not-the-secret'
        );
        try {
            $client->ping();
            $this->fail('The hub must refuse a wrong secret.');
        } catch (HubException $e) {
            $this->assertSame(401, $e->status());
            $this->assertSame('bad_signature', $e->errorCode());
        }
        $this->assertSame(
            'Magento contract test shop',
            $this->store->get(ClientFactory::class)->forWebsite(1)->ping()['store_name']
        );
    }
}
