<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\CatalogInventory\Api\Data;

interface StockItemInterface
{
    public function getProductId();
    public function getQty();
    public function getIsInStock();
    public function getManageStock();
    public function getBackorders();
}
