<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Catalog;

use Magento\CatalogInventory\Api\StockRegistryInterface;
use Magento\InventoryApi\Api\Data\SourceItemInterface;
use Magento\InventoryApi\Api\GetSourceItemsBySkuInterface;
use Magento\InventoryApi\Api\GetSourcesAssignedToStockOrderedByPriorityInterface;
use Magento\InventoryReservationsApi\Model\GetReservationsQuantityInterface;
use Magento\InventorySalesApi\Api\Data\SalesChannelInterface;
use Magento\InventorySalesApi\Api\StockResolverInterface;

/**
 * The quantity a buyer can order on the website: the in-stock quantities of the MSI sources linked
 * to the website's stock, plus its open reservations (negative for orders not yet shipped).
 *
 * Computed from the source items and reservations themselves rather than MSI's salable-quantity
 * service, which reads the stock index: with indexers on "Update by Schedule" (Magento's default) that
 * index lags until the indexer cron runs, and a stock change would reach TikTok minutes late, or as 0
 * for a new product. Without MSI data (legacy stock only) the stock item's quantity is used. A product
 * that does not manage stock and is in stock is sent with a stand-in quantity.
 */
class StockReader
{
    public const UNMANAGED_IN_STOCK_QUANTITY = 100;

    /** @var array<string,int> */
    private array $stockIds = [];

    /** @var array<int,string[]> */
    private array $sourceCodes = [];

    public function __construct(
        private readonly StockRegistryInterface $stockRegistry,
        private readonly StockResolverInterface $stockResolver,
        private readonly GetSourcesAssignedToStockOrderedByPriorityInterface $stockSources,
        private readonly GetSourceItemsBySkuInterface $sourceItems,
        private readonly GetReservationsQuantityInterface $reservations
    ) {
    }

    /**
     * @return array{quantity:int,manage_stock:bool,in_stock:bool}
     */
    public function read(string $sku, string $websiteCode): array
    {
        $item = $this->stockRegistry->getStockItemBySku($sku);
        $manage = (bool) $item->getManageStock();
        $inStock = (bool) $item->getIsInStock();
        if (!$manage) {
            return [
                'quantity' => $inStock ? self::UNMANAGED_IN_STOCK_QUANTITY : 0,
                'manage_stock' => false,
                'in_stock' => $inStock,
            ];
        }
        try {
            $stockId = $this->stockId($websiteCode);
            $quantity = $this->physical($sku, $stockId) + $this->reservations->execute($sku, $stockId);
        } catch (\Throwable $e) {
            $quantity = (float) $item->getQty();
        }
        $quantity = $inStock ? max(0, (int) floor($quantity)) : 0;
        return ['quantity' => $quantity, 'manage_stock' => true, 'in_stock' => $inStock && $quantity > 0];
    }

    private function physical(string $sku, int $stockId): float
    {
        $codes = $this->sourceCodes[$stockId] ??= array_values(array_filter(array_map(
            static fn ($source) => $source->isEnabled() ? (string) $source->getSourceCode() : null,
            $this->stockSources->execute($stockId)
        )));
        $quantity = 0.0;
        $found = false;
        foreach ($this->sourceItems->execute($sku) as $sourceItem) {
            if (!in_array((string) $sourceItem->getSourceCode(), $codes, true)) {
                continue;
            }
            $found = true;
            if (SourceItemInterface::STATUS_IN_STOCK === (int) $sourceItem->getStatus()) {
                $quantity += (float) $sourceItem->getQuantity();
            }
        }
        if (!$found) {
            throw new \RuntimeException('No MSI source item of ' . $sku . ' on stock ' . $stockId);
        }
        return $quantity;
    }

    private function stockId(string $websiteCode): int
    {
        return $this->stockIds[$websiteCode] ??= (int) $this->stockResolver
            ->execute(SalesChannelInterface::TYPE_WEBSITE, $websiteCode)
            ->getStockId();
    }
}
