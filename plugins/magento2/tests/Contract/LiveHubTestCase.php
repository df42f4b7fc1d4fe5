<?php

declare(strict_types=1);

namespace TikTokShopSync\ConnectorTests\Contract;

use PHPUnit\Framework\TestCase;
use TikTokShopSync\Connector\Api\CommandRunnerInterface;
use TikTokShopSync\ConnectorTests\Support\LiveHub;
use TikTokShopSync\ConnectorTests\Support\MagentoStore;
use TikTokShopSync\ConnectorTests\Support\RecordingTransport;

/**
 * A Magento store (the module on Magento doubles) connected to the live hub on loopback.
 */
abstract class LiveHubTestCase extends TestCase
{
    protected MagentoStore $store;
    protected RecordingTransport $http;
    protected LiveHub $hub;

    protected function setUp(): void
    {
        $this->hub = LiveHub::get();
        $this->hub->start();
        $this->http = new RecordingTransport();
        $this->store = new MagentoStore($this->http);
        $this->store->connect(1, $this->hub->url, $this->hub->keyId, $this->hub->secret);
        $this->store->config->set('tiktokshop/catalog/barcode_attribute', 'gtin', 1);
        $this->store->appState->area = 'crontab'; // the poll runs as Magento's cron runs it
        // Product ids unique across tests: the hub keeps what earlier tests sent.
        $this->base = random_int(100000, 9999999) * 10;
    }

    protected int $base = 0;

    /**
     * @return array<int,array<string,mixed>>
     */
    protected function poll(): array
    {
        $summary = $this->store->get(CommandRunnerInterface::class)->run(1, 0, true)[1];
        $this->store->endRequest();
        return $summary;
    }

    protected function product(int $offset, array $data = [], float $qty = 10): \Magento\Catalog\Model\Product
    {
        $id = $this->base + $offset;
        return $this->store->catalog->add($data + [
            'entity_id' => $id,
            'sku' => 'M2-' . $id,
            'name' => 'Magento product ' . $id,
            'price' => '12.00',
            'weight' => '0.3',
            'custom_attributes' => [
                'gtin' => '5012345678900',
                'url_key' => 'p-' . $id,
                'description' => '<p>Nice.</p>',
            ],
        ], $qty);
    }

    /**
     * @param array<int,array<string,mixed>> $lines
     * @return array<string,mixed>
     */
    protected static function order(string $id, array $lines, array $override = []): array
    {
        return \TikTokShopSync\ConnectorTests\Unit\OrdersTest::order($id, $lines, $override);
    }
}
