<?php

// Declaration stub for tests. Magento generates this class (generated/code) from Magento_SalesInventory's
// extension_attributes.xml.

namespace Magento\Sales\Api\Data;

class CreditmemoCreationArgumentsExtension extends \Magento\Framework\DataObject implements
    CreditmemoCreationArgumentsExtensionInterface
{
    public function getReturnToStockItems()
    {
        return $this->getData('return_to_stock_items');
    }
    public function setReturnToStockItems($returnToStockItems)
    {
        return $this->setData('return_to_stock_items', $returnToStockItems);
    }
}
