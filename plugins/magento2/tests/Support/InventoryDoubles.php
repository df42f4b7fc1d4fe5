<?php

/**
 * Doubles of the MSI data and service types the module's plugins receive.
 */

declare(strict_types=1);

namespace TikTokShopSync\ConnectorTests\Support;

use Magento\InventoryApi\Api\Data\SourceItemInterface;
use Magento\InventoryApi\Api\SourceItemsSaveInterface;
use Magento\InventorySalesApi\Api\Data\ItemToSellInterface;
use Magento\InventorySalesApi\Api\Data\SalesChannelInterface;
use Magento\InventorySalesApi\Api\Data\SalesEventInterface;
use Magento\InventorySalesApi\Api\PlaceReservationsForSalesEventInterface;

final class SourceItemDouble implements SourceItemInterface
{
    public function __construct(
        private ?string $sku,
        private ?float $quantity,
        private ?int $status = SourceItemInterface::STATUS_IN_STOCK,
        private ?string $sourceCode = 'default'
    ) {
    }

    public function getStatus(): ?int
    {
        return $this->status;
    }

    public function getSourceCode(): ?string
    {
        return $this->sourceCode;
    }

    public function getSku(): ?string
    {
        return $this->sku;
    }

    public function getQuantity(): ?float
    {
        return $this->quantity;
    }
}

final class SourceItemsSaveDouble implements SourceItemsSaveInterface
{
    public function execute(array $sourceItems): void
    {
    }
}

final class ItemToSellDouble implements ItemToSellInterface
{
    public function __construct(private string $sku, private float $quantity)
    {
    }

    public function getSku(): string
    {
        return $this->sku;
    }

    public function getQuantity(): float
    {
        return $this->quantity;
    }
}

final class SalesChannelDouble implements SalesChannelInterface
{
    public function getType(): ?string
    {
        return SalesChannelInterface::TYPE_WEBSITE;
    }

    public function getCode(): ?string
    {
        return 'base';
    }
}

final class SalesEventDouble implements SalesEventInterface
{
    public function __construct(private string $type)
    {
    }

    public function getType(): string
    {
        return $this->type;
    }
}

final class PlaceReservationsDouble implements PlaceReservationsForSalesEventInterface
{
    public function execute(array $items, SalesChannelInterface $salesChannel, SalesEventInterface $salesEvent): void
    {
    }
}
