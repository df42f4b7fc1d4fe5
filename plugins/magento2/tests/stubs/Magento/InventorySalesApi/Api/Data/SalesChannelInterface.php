<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\InventorySalesApi\Api\Data;

interface SalesChannelInterface
{
    public const TYPE_WEBSITE = 'website';
    public function getType(): ?string;
    public function getCode(): ?string;
}
