<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Catalog;

use Magento\CatalogInventory\Api\StockRegistryInterface;
use Magento\InventorySalesApi\Api\Data\SalesChannelInterface;
use Magento\InventorySalesApi\Api\GetProductSalableQtyInterface;
use Magento\InventorySalesApi\Api\StockResolverInterface;

/**
 * The quantity a buyer can order: MSI's salable quantity of the website's stock (physical stock
 * minus open reservations), or the legacy stock item's quantity where MSI has none; a product that
 * does not manage stock and is in stock is sent with a stand-in quantity.
 */
class StockReader
{
    public const UNMANAGED_IN_STOCK_QUANTITY = 100;

    /** @var array<string,int> */
    private array $stockIds = [];

    public function __construct(
        private readonly StockRegistryInterface $stockRegistry,
        private readonly StockResolverInterface $stockResolver,
        private readonly GetProductSalableQtyInterface $salableQty
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
            $quantity = $this->salableQty->execute($sku, $this->stockId($websiteCode));
        } catch (\Throwable $e) {
            $quantity = (float) $item->getQty();
        }
        $quantity = $inStock ? max(0, (int) floor($quantity)) : 0;
        return ['quantity' => $quantity, 'manage_stock' => true, 'in_stock' => $inStock && $quantity > 0];
    }

    private function stockId(string $websiteCode): int
    {
        return $this->stockIds[$websiteCode] ??= (int) $this->stockResolver
            ->execute(SalesChannelInterface::TYPE_WEBSITE, $websiteCode)
            ->getStockId();
    }
}
