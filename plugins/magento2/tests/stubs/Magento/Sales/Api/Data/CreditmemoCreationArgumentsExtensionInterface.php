<?php

// Declaration stub for tests. Magento generates this interface (generated/code) from Magento_SalesInventory's
// extension_attributes.xml: return_to_stock_items (int[]).

namespace Magento\Sales\Api\Data;

interface CreditmemoCreationArgumentsExtensionInterface extends \Magento\Framework\Api\ExtensionAttributesInterface
{
    public function getReturnToStockItems();
    public function setReturnToStockItems($returnToStockItems);
}
