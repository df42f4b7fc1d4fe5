<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Catalog\Api;

interface ProductRepositoryInterface
{
    public function get($sku, $editMode = false, $storeId = null, $forceReload = false);
    public function getById($productId, $editMode = false, $storeId = null, $forceReload = false);
}
