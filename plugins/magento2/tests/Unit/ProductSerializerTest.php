<?php

declare(strict_types=1);

namespace TikTokShopSync\ConnectorTests\Unit;

use PHPUnit\Framework\TestCase;
use TikTokShopSync\Connector\Model\Catalog\ProductEvents;
use TikTokShopSync\Connector\Model\Config;
use TikTokShopSync\ConnectorTests\Support\MagentoStore;
use TikTokShopSync\ConnectorTests\Support\MediaEntryDouble;

/**
 * The canonical product built from Magento products, as the hub will receive it.
 */
final class ProductSerializerTest extends TestCase
{
    private MagentoStore $store;

    protected function setUp(): void
    {
        $this->store = new MagentoStore();
        $this->store->connect(1, 'http://127.0.0.1:9', 'key', 'secret');
        $this->store->config->set(Config::PATH_BARCODE_ATTRIBUTE, 'gtin', 1);
        $this->store->config->set(Config::PATH_LENGTH_ATTRIBUTE, 'ts_length', 1);
        $this->store->config->set(Config::PATH_WIDTH_ATTRIBUTE, 'ts_width', 1);
        $this->store->config->set(Config::PATH_HEIGHT_ATTRIBUTE, 'ts_height', 1);
        $this->store->catalog->categories = [
            2 => ['name' => 'Default Category', 'path' => '1/2'],
            15 => ['name' => 'Clothing', 'path' => '1/2/15'],
            16 => ['name' => 'Socks', 'path' => '1/2/15/16'],
        ];
        $this->store->catalog->attribute(93, 'color', ['51' => 'Red', '52' => 'Blue']);
        $this->store->catalog->attribute(144, 'size', ['167' => 'S', '168' => 'M']);
        $this->store->catalog->attribute(83, 'manufacturer', ['7' => 'Acme']);
    }

    private function build(int $id, int $websiteId = 1): ?array
    {
        return $this->store->get(ProductEvents::class)->build($websiteId, $id, 'product.upsert', 'e-' . $id);
    }

    public function testASimpleProductIsOneVariantWithItsImagesUnitsBarcodeAndCategoryPath(): void
    {
        $this->store->catalog->add([
            'entity_id' => 88,
            'sku' => 'SOCK-1',
            'name' => 'Men\'s Cotton Socks',
            'price' => '12.5',
            'weight' => '0.250',
            'custom_attributes' => [
                'description' => '<div data-content-type="row" data-appearance="contained" data-element="main">'
                    . '<div data-element="inner" style="padding:10px"><div data-content-type="text"'
                        . ' data-appearance="default" data-element="main">'
                    . '<p style="color:red">Soft <strong>cotton</strong>.</p><style>#html-body'
                        . ' [data-pb-style=X]{margin:0}</style>'
                    . '<p><img src="{{media url=&quot;wysiwyg/socks.jpg&quot;}}" alt="socks"></p></div></div></div>',
                'url_key' => 'cotton-socks',
                'gtin' => '5012345678900',
                'ts_length' => '20',
                'ts_width' => '15.50',
                'ts_height' => '',
                'category_ids' => ['16', '15'],
                'manufacturer' => '7',
                'special_price' => '9.99',
            ],
            'media_gallery_entries' => [
                new MediaEntryDouble('/s/o/sock-back.jpg', 2, [], false, 'back'),
                new MediaEntryDouble('/s/o/sock-hidden.jpg', 0, [], true),
                new MediaEntryDouble('/s/o/sock-front.jpg', 3, ['image', 'small_image'], false, 'front'),
            ],
        ], 7);
        $event = $this->build(88);
        $product = $event['product'];
        $this->assertSame('product.upsert', $event['type']);
        $this->assertSame('e-88', $event['id']);
        $this->assertSame('88', $product['id']);
        $this->assertSame('active', $product['status']);
        $this->assertSame('Men\'s Cotton Socks', $product['title']);
        $this->assertSame('https://shop.example/cotton-socks.html', $product['url']);
        $this->assertSame('Acme', $product['brand']);
        $this->assertSame(
            '<p>Soft <strong>cotton</strong>.</p><p><img src="https://shop.example/media/wysiwyg/socks.jpg"'
                . ' alt="socks"></p>',
            $product['description_html'],
            'Page Builder wrappers, styles and directives are gone; the content stays'
        );
        $this->assertSame([
            ['url' => 'https://shop.example/media/catalog/product/s/o/sock-front.jpg', 'alt' => 'front'],
            ['url' => 'https://shop.example/media/catalog/product/s/o/sock-back.jpg', 'alt' => 'back'],
        ], $product['images'], 'base image first, disabled ones left out');
        $this->assertSame([
            ['id' => '16', 'name' => 'Socks', 'path' => ['Clothing', 'Socks']],
            ['id' => '15', 'name' => 'Clothing', 'path' => ['Clothing']],
        ], $product['categories']);
        $this->assertSame(['value' => '0.25', 'unit' => 'kg'], $product['weight']);
        $this->assertSame(
            ['length' => '20', 'width' => '15.5', 'height' => null, 'unit' => 'cm'],
            $product['dimensions']
        );
        $this->assertCount(1, $product['variants']);
        $variant = $product['variants'][0];
        $this->assertSame('88', $variant['id']);
        $this->assertSame('9.99', $variant['price']);
        $this->assertSame('12.50', $variant['compare_at_price']);
        $this->assertSame('GBP', $variant['currency']);
        $this->assertSame(7, $variant['quantity']);
        $this->assertSame('5012345678900', $variant['barcode']);
        $this->assertSame('EAN', $variant['barcode_type']);
        $this->assertEquals(new \stdClass(), $variant['options']);
        $this->assertStringContainsString(
            '"options":{}',
            json_encode($event),
            'empty options are an object on the wire'
        );
        $this->assertGreaterThan(1700000000000, $product['version']);
    }

    public function testAConfigurableProductHasItsEnabledChildrenWithLabelledOptionsAndImages(): void
    {
        $c = $this->store->catalog;
        $c->add(
            [
                'entity_id' => 10,
                'sku' => 'TEE',
                'name' => 'Tee',
                'type_id' => 'configurable',
                'price' => null,
                'custom_attributes' => ['url_key' => 'tee'],
            ]
        );
        $c->add([
            'entity_id' => 11, 'sku' => 'TEE-RED-S', 'name' => 'Tee Red S',
            'price' => '10', 'weight' => '0.2', 'visibility' => 1,
            'custom_attributes' => ['color' => '51', 'size' => '167', 'gtin' => '012345678905'],
            'media_gallery_entries' => [new MediaEntryDouble('/t/e/red.jpg', 1, ['image'])],
        ], 3);
        $c->add(['entity_id' => 12, 'sku' => 'TEE-BLUE-M', 'name' => 'Tee Blue M', 'price' => '11', 'visibility' => 1,
            'custom_attributes' => ['color' => '52', 'size' => '168']], 0);
        $c->add([
            'entity_id' => 13, 'sku' => 'TEE-OFF', 'name' => 'Tee disabled',
            'price' => '11', 'status' => 2, 'visibility' => 1,
            'custom_attributes' => ['color' => '52', 'size' => '167'],
        ], 5);
        $c->link(
            10,
            [11, 12, 13],
            [['attribute_id' => 93, 'label' => 'Colour'], ['attribute_id' => 144, 'label' => 'Size']]
        );

        $product = $this->build(10)['product'];
        $this->assertSame('configurable', $product['type']);
        $this->assertNull($product['weight']);
        $this->assertSame(['11', '12'], array_column($product['variants'], 'id'), 'the disabled child is not for sale');
        $this->assertSame(['Colour' => 'Red', 'Size' => 'S'], $product['variants'][0]['options']);
        $this->assertSame(['Colour' => 'Blue', 'Size' => 'M'], $product['variants'][1]['options']);
        $this->assertSame('UPC', $product['variants'][0]['barcode_type']);
        $this->assertSame(['value' => '0.2', 'unit' => 'kg'], $product['variants'][0]['weight']);
        $this->assertSame(0, $product['variants'][1]['quantity']);
        $this->assertSame(
            'https://shop.example/media/catalog/product/t/e/red.jpg',
            $product['variants'][0]['image_url']
        );
        $this->assertSame(
            [['url' => 'https://shop.example/media/catalog/product/t/e/red.jpg', 'alt' => 'Tee Red S']],
            $product['images']
        );
        $this->assertNull($this->build(11), 'a child not visible on its own is sent through its parent only');
    }

    public function testWebsiteScopeDecidesCurrencyUnitsAndMembership(): void
    {
        $this->store->connect(2, 'http://127.0.0.1:9', 'key2', 'secret2');
        $this->store->config->set(Config::PATH_WEIGHT_UNIT, 'lbs', 2);
        $this->store->config->set('web/seo/use_rewrites', '0', null, 2);
        $this->store->catalog->add(
            [
                'entity_id' => 5, 'sku' => 'EU-ONLY', 'name' => 'EU', 'price' => '3', 'weight' => '2',
                'custom_attributes' => ['url_key' => 'eu-only'],
            ],
            1,
            [2]
        );
        $eu = $this->build(5, 2)['product'];
        $this->assertSame('EUR', $eu['variants'][0]['currency']);
        $this->assertSame(['value' => '2', 'unit' => 'lb'], $eu['weight']);
        $this->assertSame('https://eu.shop.example/index.php/eu-only.html', $eu['url'], 'without URL rewrites');
        $this->assertSame(
            ['id' => 'e-5', 'type' => 'product.delete', 'product_id' => '5'],
            $this->build(5, 1),
            'a product not in the website is deleted from that connection'
        );
    }

    public function testStockIsTheSalableQuantityOfTheWebsiteStockWithoutWaitingForIndexers(): void
    {
        $this->store->catalog->add(['entity_id' => 7, 'sku' => 'RES', 'name' => 'Reserved', 'price' => '5'], 10);
        $this->store->catalog->reservations['RES'] = -3.0;
        // A second warehouse linked to the stock counts; an out-of-stock item and an unlinked source do not.
        $this->store->catalog->stockSources[1][] = ['source' => 'leeds', 'enabled' => true];
        $this->store->catalog->stockSources[1][] = ['source' => 'closed', 'enabled' => false];
        $this->store->catalog->moreSourceItems['RES'] = [
            ['source' => 'leeds', 'qty' => 4.0, 'status' => 1],
            ['source' => 'leeds-returns', 'qty' => 50.0, 'status' => 1],
            ['source' => 'closed', 'qty' => 9.0, 'status' => 1],
        ];
        $event = $this->store->get(ProductEvents::class)->build(1, 7, 'inventory.update', 'i');
        $this->assertSame(11, $event['items'][0]['quantity'], '10 + 4 in Leeds - 3 reserved');
        $this->store->catalog->moreSourceItems['RES'][0]['status'] = 0;
        $event = $this->store->get(ProductEvents::class)->build(1, 7, 'inventory.update', 'inv');
        $this->assertSame('inventory.update', $event['type']);
        $this->assertSame(7, $event['items'][0]['quantity'], 'salable = 10 physical - 3 reserved');
        $this->assertSame('5.00', $event['items'][0]['price']);
        $this->store->catalog->stock['RES']['manage'] = false;
        $this->assertSame(
            100,
            $this->store->get(ProductEvents::class)->build(1, 7, 'inventory.update', 'x')['items'][0]['quantity']
        );
    }

    public function testOtherProductTypesAreNotSent(): void
    {
        $this->store->catalog->add(['entity_id' => 9, 'sku' => 'BUNDLE', 'name' => 'Bundle', 'type_id' => 'bundle']);
        $this->assertNull($this->build(9));
        $this->assertSame('product.delete', $this->build(404)['type'], 'a product that no longer exists');
    }

    public function testPricesEnteredWithoutTaxAreFlaggedWithTheTaxClass(): void
    {
        $this->store->catalog->add([
            'entity_id' => 31, 'sku' => 'TEE', 'name' => 'Tee', 'price' => '10',
            'custom_attributes' => ['tax_class_id' => '2'],
        ], 5);
        $this->store->catalog->add([
            'entity_id' => 32, 'sku' => 'GIFT', 'name' => 'Gift card', 'price' => '10',
            'custom_attributes' => ['tax_class_id' => '0'],
        ], 5);
        // Magento's default: catalogue prices exclude tax.
        $tee = $this->build(31)['product'];
        $this->assertFalse($tee['prices_include_tax']);
        $this->assertSame('2', $tee['tax_class']);
        // Tax class "None": nothing is added at checkout, so the price is what the buyer pays.
        $this->assertTrue($this->build(32)['product']['prices_include_tax']);
    }

    public function testPricesEnteredWithTaxAreFlaggedSo(): void
    {
        $this->store->config->set('tax/calculation/price_includes_tax', '1');
        $this->store->catalog->add([
            'entity_id' => 33, 'sku' => 'TEE-INC', 'name' => 'Tee', 'price' => '12',
            'custom_attributes' => ['tax_class_id' => '2'],
        ], 5);
        $this->assertTrue($this->build(33)['product']['prices_include_tax']);
    }
}
