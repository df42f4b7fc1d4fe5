<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\InventoryApi\Api\Data;

interface SourceItemInterface
{
    public const STATUS_IN_STOCK = 1;
    public const STATUS_OUT_OF_STOCK = 0;
    public function getSku(): ?string;
    public function getQuantity(): ?float;
    public function getStatus(): ?int;
    public function getSourceCode(): ?string;
}
