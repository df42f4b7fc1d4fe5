<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Order;

use Magento\Catalog\Api\Data\ProductInterface;
use Magento\Catalog\Api\ProductRepositoryInterface;
use Magento\CatalogInventory\Api\StockRegistryInterface;
use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Framework\Exception\NoSuchEntityException;
use Magento\Store\Model\ScopeInterface;
use TikTokShopSync\Connector\Model\Catalog\ProductSerializer;
use TikTokShopSync\Connector\Model\Catalog\StockReader;
use TikTokShopSync\Connector\Model\Catalog\WebsiteContext;
use TikTokShopSync\ExtensionClient\Commands\CommandDeferred;
use TikTokShopSync\ExtensionClient\Commands\CommandFailure;

/**
 * order.create: validates the canonical ORDER, matches its lines to products of the website,
 * and has QuoteOrderPlacer create the Magento order at TikTok's prices.
 *
 * Idempotent by TikTok order id: an order that exists is reported again with its number; the
 * UNIQUE claim in the order map stops a second delivery, or a second worker, creating another.
 */
class OrderImporter
{
    public const CLAIM_STALE_AFTER = 600;

    public function __construct(
        private readonly OrderMap $map,
        private readonly ProductRepositoryInterface $products,
        private readonly StockRegistryInterface $stockRegistry,
        private readonly StockReader $stock,
        private readonly WebsiteContext $websites,
        private readonly ScopeConfigInterface $scopeConfig,
        private readonly QuoteOrderPlacer $placer
    ) {
    }

    /**
     * @param array<string,mixed> $order
     * @return array{platform_order_id:string,created:bool}
     * @throws CommandFailure
     * @throws CommandDeferred
     */
    public function import(int $websiteId, array $order): array
    {
        $tiktokId = trim((string) ($order['tiktok_order_id'] ?? ''));
        if ('' === $tiktokId) {
            throw new CommandFailure(CommandFailure::MISSING_FIELD, 'The order has no tiktok_order_id.');
        }
        $existing = $this->map->find($tiktokId);
        if ($existing && null !== $existing['increment_id']) {
            return ['platform_order_id' => (string) $existing['increment_id'], 'created' => false];
        }

        $context = $this->websites->get($websiteId);
        $this->validate($order, $websiteId);
        $lines = $this->resolveLines($order['lines'], $context);

        if (!$this->map->claim($tiktokId, $websiteId)) {
            $existing = $this->map->find($tiktokId);
            if ($existing && null !== $existing['increment_id']) {
                return ['platform_order_id' => (string) $existing['increment_id'], 'created' => false];
            }
            if (!$this->map->takeOverStaleClaim($tiktokId, self::CLAIM_STALE_AFTER)) {
                throw new CommandDeferred('TikTok order ' . $tiktokId . ' is being created by another worker.');
            }
        }
        try {
            $placed = $this->placer->place($websiteId, $order, $lines);
        } catch (CommandFailure $e) {
            $this->map->release($tiktokId);
            throw $e;
        } catch (\Throwable $e) {
            $this->map->release($tiktokId);
            if (stripos($e->getMessage(), 'address') !== false) {
                throw new CommandFailure(
                    CommandFailure::ADDRESS_REFUSED,
                    'Magento refused the address: ' . $e->getMessage()
                );
            }
            $hint = stripos($e->getMessage(), 'not available') !== false
                ? ' Magento decides what is salable from its stock index, which cron updates; the order is tried again.'
                : '';
            throw new CommandFailure(
                CommandFailure::PLATFORM_ERROR,
                'Magento could not create the order: ' . $e->getMessage() . $hint,
                true
            );
        }
        $this->map->attach($tiktokId, $placed['order_id'], $placed['increment_id']);
        return ['platform_order_id' => $placed['increment_id'], 'created' => true];
    }

    /**
     * @param array<string,mixed> $order
     * @throws CommandFailure MISSING_FIELD, INVALID_ADDRESS or ADDRESS_REFUSED.
     */
    public function validate(array $order, int $websiteId): void
    {
        if (empty($order['lines']) || !is_array($order['lines'])) {
            throw new CommandFailure(CommandFailure::MISSING_FIELD, 'The order has no lines.');
        }
        if (empty($order['currency']) || !preg_match('/^[A-Z]{3}$/', (string) $order['currency'])) {
            throw new CommandFailure(
                CommandFailure::MISSING_FIELD,
                'The order has no valid currency (expected a code such as GBP).'
            );
        }
        foreach (array_values($order['lines']) as $index => $line) {
            $number = $index + 1;
            if (!is_array($line)) {
                throw new CommandFailure(CommandFailure::MISSING_FIELD, "Order line {$number} is not an object.");
            }
            if (empty($line['variant_id']) && empty($line['product_id']) && empty($line['sku'])) {
                throw new CommandFailure(
                    CommandFailure::MISSING_FIELD,
                    "Order line {$number} names no product, variant or SKU."
                );
            }
            if (!isset($line['quantity']) || !is_int($line['quantity']) || $line['quantity'] < 1) {
                throw new CommandFailure(
                    CommandFailure::MISSING_FIELD,
                    "Order line {$number} has no positive whole quantity."
                );
            }
            if (!isset($line['unit_price']) || !is_numeric($line['unit_price']) || (float) $line['unit_price'] < 0) {
                throw new CommandFailure(CommandFailure::MISSING_FIELD, "Order line {$number} has no unit_price.");
            }
        }
        if (!isset($order['totals']['total']) || !is_numeric($order['totals']['total'])) {
            throw new CommandFailure(CommandFailure::MISSING_FIELD, 'The order has no totals.total.');
        }
        $address = isset(
            $order['shipping_address']
        ) && is_array($order['shipping_address']) ? $order['shipping_address'] : null;
        if (!$address) {
            throw new CommandFailure(CommandFailure::INVALID_ADDRESS, 'The order has no shipping address.');
        }
        $missing = [];
        foreach (['name', 'line1', 'city', 'postal_code', 'country_code'] as $field) {
            if (!isset($address[$field]) || '' === trim((string) $address[$field])) {
                $missing[] = $field;
            }
        }
        if ($missing) {
            throw new CommandFailure(
                CommandFailure::INVALID_ADDRESS,
                'The shipping address lacks: ' . implode(', ', $missing) . '.'
            );
        }
        $country = strtoupper(trim((string) $address['country_code']));
        if (!preg_match('/^[A-Z]{2}$/', $country)) {
            throw new CommandFailure(
                CommandFailure::INVALID_ADDRESS,
                'The shipping address country "' . $address['country_code'] . '" is not a country code.'
            );
        }
        $allowed = array_filter(
            explode(
                ',',
                (string) $this->scopeConfig->getValue(
                    'general/country/allow',
                    ScopeInterface::SCOPE_WEBSITES,
                    $websiteId
                )
            )
        );
        if ($allowed && !in_array($country, $allowed, true)) {
            throw new CommandFailure(
                CommandFailure::ADDRESS_REFUSED,
                'Magento does not allow the country ' . $country . ' for this website (Stores > Configuration >'
                    . ' General > Country Options > Allow Countries).'
            );
        }
    }

    /**
     * @param array<int,array<string,mixed>> $lines
     * @param array<string,mixed>            $context
     * @return array<int,array<string,mixed>> Lines with the product under "product".
     * @throws CommandFailure PRODUCT_DELETED, PRODUCT_DISABLED, MISSING_FIELD or OUT_OF_STOCK.
     */
    private function resolveLines(array $lines, array $context): array
    {
        $resolved = [];
        $wanted = [];
        foreach (array_values($lines) as $index => $line) {
            $label = self::label($line, $index + 1);
            $product = $this->findProduct($line, $context['store_id']);
            if (null === $product) {
                throw new CommandFailure(
                    CommandFailure::PRODUCT_DELETED,
                    "The product of {$label} no longer exists in Magento. Restore it or create the order by hand,"
                        . " then retry."
                );
            }
            if ('configurable' === $product->getTypeId()) {
                throw new CommandFailure(
                    CommandFailure::MISSING_FIELD,
                    "{$label} names the configurable product {$product->getSku()} but no variant."
                );
            }
            if (ProductSerializer::STATUS_ENABLED !== (int) $product->getStatus()) {
                throw new CommandFailure(
                    CommandFailure::PRODUCT_DISABLED,
                    "The product of {$label} ({$product->getSku()}) is disabled in Magento. Enable it, then retry."
                );
            }
            $websiteIds = $product->getExtensionAttributes()?->getWebsiteIds();
            if (
                null !== $websiteIds && !in_array(
                    $context['website_id'],
                    array_map('intval', (array) $websiteIds),
                    true
                )
            ) {
                throw new CommandFailure(
                    CommandFailure::PRODUCT_DISABLED,
                    "The product of {$label} ({$product->getSku()}) is not sold on the Magento website"
                        . " {$context['website_code']}. Assign it, then retry."
                );
            }
            $sku = (string) $product->getSku();
            $wanted[$sku] = ($wanted[$sku] ?? 0) + (int) $line['quantity'];
            $stock = $this->stock->read($sku, $context['website_code']);
            $backorders = (int) $this->stockRegistry->getStockItemBySku($sku)->getBackorders() > 0;
            if ($stock['manage_stock'] && !$backorders && $stock['quantity'] < $wanted[$sku]) {
                throw new CommandFailure(
                    CommandFailure::OUT_OF_STOCK,
                    sprintf(
                        '%s asks for %d but Magento can sell %d. Add stock or allow backorders, then retry.',
                        $label,
                        $wanted[$sku],
                        $stock['quantity']
                    )
                );
            }
            if (!$stock['manage_stock'] && !$stock['in_stock']) {
                throw new CommandFailure(
                    CommandFailure::OUT_OF_STOCK,
                    "{$label} is marked out of stock in Magento. Mark it in stock, then retry."
                );
            }
            $line['product'] = $product;
            $resolved[] = $line;
        }
        return $resolved;
    }

    /**
     * @param array<string,mixed> $line
     */
    private function findProduct(array $line, int $storeId): ?ProductInterface
    {
        foreach (['variant_id', 'product_id'] as $key) {
            if (!empty($line[$key]) && ctype_digit((string) $line[$key])) {
                try {
                    return $this->products->getById((int) $line[$key], false, $storeId, true);
                } catch (NoSuchEntityException $e) {
                    break;
                }
            }
        }
        if (!empty($line['sku'])) {
            try {
                return $this->products->get((string) $line['sku'], false, $storeId, true);
            } catch (NoSuchEntityException $e) {
                return null;
            }
        }
        return null;
    }

    /**
     * @param array<string,mixed> $line
     */
    private static function label(array $line, int $number): string
    {
        $parts = [];
        foreach (['sku' => 'SKU', 'variant_id' => 'variant', 'product_id' => 'product'] as $key => $name) {
            if (!empty($line[$key])) {
                $parts[] = $name . ' ' . $line[$key];
            }
        }
        return 'Order line ' . $number . ($parts ? ' (' . implode(', ', $parts) . ')' : '');
    }
}
