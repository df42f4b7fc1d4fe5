<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Catalog;

use Magento\Catalog\Api\Data\ProductInterface;
use Magento\Catalog\Api\ProductAttributeRepositoryInterface;
use Magento\Catalog\Api\ProductRepositoryInterface;
use Magento\ConfigurableProduct\Api\LinkManagementInterface;
use Magento\ConfigurableProduct\Api\OptionRepositoryInterface;
use Magento\Framework\App\ResourceConnection;
use TikTokShopSync\ExtensionClient\Events\VersionClock;

/**
 * A Magento product → the hub's canonical product (docs/extension-api.md).
 *
 * Simple and virtual products are one variant with empty options; a configurable product's
 * enabled children are its variants, their super attributes its options ("Size" => "M").
 * Money is a decimal string in the website's base currency, quantities are ints, ids strings.
 */
class ProductSerializer
{
    public const STATUS_ENABLED = 1;
    public const VISIBILITY_NOT_VISIBLE = 1;
    public const TYPES = ['simple', 'virtual', 'configurable'];

    /** @var array<int,string> */
    private array $attributeCodes = [];

    /** @var array<string,array<string,string>> */
    private array $optionLabels = [];

    public function __construct(
        private readonly ProductRepositoryInterface $products,
        private readonly LinkManagementInterface $configurableLinks,
        private readonly OptionRepositoryInterface $configurableOptions,
        private readonly ProductAttributeRepositoryInterface $attributes,
        private readonly ResourceConnection $resource,
        private readonly StockReader $stock,
        private readonly CategoryPaths $categories,
        private readonly DescriptionCleaner $descriptions,
        private readonly VersionClock $versions
    ) {
    }

    /**
     * @param array<string,mixed> $context WebsiteContext::get()
     * @return array<string,mixed>
     */
    public function serialize(ProductInterface $product, array $context): array
    {
        $variants = [];
        $images = $this->images($product, $context);
        if ('configurable' === $product->getTypeId()) {
            $options = $this->superAttributes((string) $product->getSku());
            foreach ($this->configurableLinks->getChildren((string) $product->getSku()) as $link) {
                $child = $this->products->getById((int) $link->getId(), false, $context['store_id']);
                if (self::STATUS_ENABLED !== (int) $child->getStatus()) {
                    continue;
                }
                $variant = $this->variant($child, $context, $options);
                $variants[] = $variant;
                if (
                    null !== $variant['image_url'] && !in_array(
                        $variant['image_url'],
                        array_column($images, 'url'),
                        true
                    )
                ) {
                    $images[] = ['url' => $variant['image_url'], 'alt' => (string) $child->getName()];
                }
            }
        } else {
            $variants[] = $this->variant($product, $context, null);
        }

        $description = $this->text($product, 'description');
        $short = $this->text($product, 'short_description');
        $urlKey = $this->text($product, 'url_key');
        return [
            'id' => (string) $product->getId(),
            'version' => $this->versions->next(),
            'status' => self::STATUS_ENABLED === (int) $product->getStatus() ? 'active' : 'draft',
            'title' => (string) $product->getName(),
            'description_html' => $this->descriptions->clean(
                '' !== trim($description) ? $description : $short,
                $context['media_url']
            ),
            'short_description_html' => $this->descriptions->clean($short, $context['media_url']),
            'url' => '' !== $urlKey ? $context['link_url'] . $urlKey . $context['url_suffix'] : null,
            'sku' => (string) $product->getSku(),
            'type' => (string) $product->getTypeId(),
            'brand' => $this->optionLabel($product, 'manufacturer'),
            'categories' => $this->categories->describe($this->categoryIds($product), $context['store_id']),
            'images' => $images,
            'attributes' => new \stdClass(),
            'weight' => 'configurable' === $product->getTypeId() ? null : $this->weight(
                $product->getWeight(),
                $context
            ),
            'dimensions' => $this->dimensions($product, $context),
            'variants' => $variants,
            // VAT (docs/canonical-data.md): tax class 0 ("None") adds nothing at checkout, so its price is final.
            'prices_include_tax' => '' === $this->taxClass($product) || ($context['prices_include_tax'] ?? true),
            'tax_class' => $this->taxClass($product),
        ];
    }

    private function taxClass(ProductInterface $product): string
    {
        $class = $this->attributeValue($product, 'tax_class_id');
        return '0' === $class ? '' : $class;
    }

    /**
     * inventory.update items: one per variant, with the quantity and price now.
     *
     * @param array<string,mixed> $context
     * @return array<int,array<string,mixed>>
     */
    public function inventoryItems(ProductInterface $product, array $context): array
    {
        $items = [];
        $children = 'configurable' === $product->getTypeId()
            ? array_map(
                fn ($link) => $this->products->getById((int) $link->getId(), false, $context['store_id']),
                $this->configurableLinks->getChildren((string) $product->getSku())
            )
            : [$product];
        foreach ($children as $child) {
            $stock = $this->stock->read((string) $child->getSku(), $context['website_code']);
            $items[] = [
                'product_id' => (string) $product->getId(),
                'variant_id' => (string) $child->getId(),
                'quantity' => $stock['quantity'],
                'price' => self::money($child->getPrice()),
                'version' => $this->versions->next(),
            ];
        }
        return $items;
    }

    /**
     * @param array<string,mixed>                                    $context
     * @param array<int,array{code:string,label:string}>|null $options Super attributes of the parent.
     * @return array<string,mixed>
     */
    private function variant(ProductInterface $item, array $context, ?array $options): array
    {
        [$barcode, $barcodeType] = $this->barcode($item, $context);
        $stock = $this->stock->read((string) $item->getSku(), $context['website_code']);
        $regular = self::money($item->getPrice());
        $special = $this->specialPrice($item);
        $price = null !== $special && null !== $regular && (float) $special < (float) $regular ? $special : $regular;
        $labelled = [];
        foreach ($options ?? [] as $option) {
            $value = $this->attributeValue($item, $option['code']);
            $labelled[$option['label']] = $this->valueLabel($option['code'], $value);
        }
        $isVariant = null !== $options;
        $images = $isVariant ? $this->images($item, $context) : [];
        return [
            'id' => (string) $item->getId(),
            'sku' => (string) $item->getSku(),
            'price' => $price,
            'compare_at_price' => $price !== $regular ? $regular : null,
            'currency' => $context['currency'],
            'quantity' => $stock['quantity'],
            'manage_stock' => $stock['manage_stock'],
            'options' => $labelled ?: new \stdClass(),
            'barcode' => $barcode,
            'barcode_type' => $barcodeType,
            'image_url' => $images ? $images[0]['url'] : null,
            'weight' => $isVariant ? $this->weight($item->getWeight(), $context) : null,
            'dimensions' => $isVariant ? $this->dimensions($item, $context) : null,
        ];
    }

    /**
     * Enabled gallery images, the base image first, then by position.
     *
     * @param array<string,mixed> $context
     * @return array<int,array{url:string,alt:string}>
     */
    private function images(ProductInterface $product, array $context): array
    {
        $entries = [];
        foreach ((array) $product->getMediaGalleryEntries() as $entry) {
            if (
                $entry->isDisabled() || 'image' !== (
                    $entry->getMediaType() ?: 'image'
                ) || '' === (string) $entry->getFile()
            ) {
                continue;
            }
            $isBase = in_array('image', (array) $entry->getTypes(), true);
            $entries[] = [$isBase ? 0 : 1, (int) $entry->getPosition(), count($entries), $entry];
        }
        sort($entries);
        $out = [];
        foreach ($entries as [, , , $entry]) {
            $url = rtrim($context['media_url'], '/') . '/catalog/product/' . ltrim((string) $entry->getFile(), '/');
            $out[] = ['url' => $url, 'alt' => (string) ($entry->getLabel() ?? '')];
        }
        return $out;
    }

    /**
     * @return array<int,array{code:string,label:string}>
     */
    private function superAttributes(string $sku): array
    {
        $out = [];
        foreach ($this->configurableOptions->getList($sku) as $option) {
            $code = $this->attributeCode((int) $option->getAttributeId());
            if ('' !== $code) {
                $out[] = ['code' => $code, 'label' => (string) ($option->getLabel() ?: $code)];
            }
        }
        return $out;
    }

    private function attributeCode(int $attributeId): string
    {
        return $this->attributeCodes[$attributeId] ??= (string) $this->resource->getConnection()->fetchOne(
            'SELECT attribute_code FROM ' . $this->resource->getTableName('eav_attribute') . ' WHERE attribute_id = ?',
            [$attributeId]
        );
    }

    private function optionLabel(ProductInterface $product, string $code): ?string
    {
        $value = $this->attributeValue($product, $code);
        return '' === $value ? null : $this->valueLabel($code, $value);
    }

    /**
     * The label of a select attribute's option id (the id itself for a text attribute).
     */
    private function valueLabel(string $code, string $value): string
    {
        if (!isset($this->optionLabels[$code])) {
            $this->optionLabels[$code] = [];
            try {
                foreach ((array) $this->attributes->get($code)->getOptions() as $option) {
                    $this->optionLabels[$code][(string) $option->getValue()] = (string) $option->getLabel();
                }
            } catch (\Throwable $e) {
                // Not an attribute with options: the stored value is the text.
            }
        }
        return $this->optionLabels[$code][$value] ?? $value;
    }

    private function attributeValue(ProductInterface $product, string $code): string
    {
        if ('' === $code) {
            return '';
        }
        $attribute = $product->getCustomAttribute($code);
        $value = null === $attribute ? null : $attribute->getValue();
        return is_scalar($value) ? trim((string) $value) : '';
    }

    private function text(ProductInterface $product, string $code): string
    {
        return $this->attributeValue($product, $code);
    }

    /**
     * @return int[]
     */
    private function categoryIds(ProductInterface $product): array
    {
        $attribute = $product->getCustomAttribute('category_ids');
        $value = null === $attribute ? [] : $attribute->getValue();
        if (is_string($value)) {
            $value = explode(',', $value);
        }
        return array_values(array_filter(array_map('intval', (array) $value)));
    }

    private function specialPrice(ProductInterface $product): ?string
    {
        $special = self::money($this->attributeValue($product, 'special_price'));
        if (null === $special) {
            return null;
        }
        $today = gmdate('Y-m-d');
        $from = substr($this->attributeValue($product, 'special_from_date'), 0, 10);
        $to = substr($this->attributeValue($product, 'special_to_date'), 0, 10);
        if (('' !== $from && $from > $today) || ('' !== $to && $to < $today)) {
            return null;
        }
        return $special;
    }

    /**
     * @param array<string,mixed> $context
     * @return array{0:?string,1:?string}
     */
    private function barcode(ProductInterface $product, array $context): array
    {
        $code = $this->attributeValue($product, $context['barcode_attribute']);
        if ('' === $code) {
            return [null, null];
        }
        $digits = preg_replace('/[\s-]+/', '', $code) ?? $code;
        if (!preg_match('/^\d+$/', $digits)) {
            return [$code, null];
        }
        if ('auto' !== $context['barcode_type']) {
            return [$digits, $context['barcode_type']];
        }
        $types = [8 => 'EAN', 12 => 'UPC', 13 => 'EAN', 14 => 'GTIN'];
        return [$digits, $types[strlen($digits)] ?? null];
    }

    /**
     * @param array<string,mixed> $context
     * @return array{value:string,unit:string}|null
     */
    private function weight(mixed $value, array $context): ?array
    {
        $number = self::decimal($value);
        return null === $number ? null : ['value' => $number, 'unit' => $context['weight_unit']];
    }

    /**
     * @param array<string,mixed> $context
     * @return array<string,string|null>|null
     */
    private function dimensions(ProductInterface $product, array $context): ?array
    {
        $values = [];
        foreach ($context['dimension_attributes'] as $side => $code) {
            $values[$side] = self::decimal($this->attributeValue($product, (string) $code));
        }
        if (
            null === (
                $values['length'] ?? null
            ) && null === ($values['width'] ?? null) && null === ($values['height'] ?? null)
        ) {
            return null;
        }
        $values['unit'] = $context['dimension_unit'];
        return $values;
    }

    public static function money(mixed $value): ?string
    {
        $value = trim((string) $value);
        if ('' === $value || !is_numeric($value)) {
            return null;
        }
        return number_format((float) $value, 2, '.', '');
    }

    private static function decimal(mixed $value): ?string
    {
        $value = str_replace(',', '.', trim((string) $value));
        if ('' === $value || !is_numeric($value) || (float) $value <= 0) {
            return null;
        }
        $formatted = rtrim(rtrim(number_format((float) $value, 4, '.', ''), '0'), '.');
        return '' === $formatted ? '0' : $formatted;
    }
}
