<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Sales\Model\Order;

class Item extends \Magento\Framework\DataObject implements \Magento\Sales\Api\Data\OrderItemInterface
{
    public function getItemId()
    {
        return $this->getData('item_id');
    }
    public function getParentItemId()
    {
        return $this->getData('parent_item_id');
    }
    public function getProductId()
    {
        return $this->getData('product_id');
    }
    public function getSku()
    {
        return $this->getData('sku');
    }
    public function getPriceInclTax()
    {
        return $this->getData('price_incl_tax');
    }
    public function getQtyOrdered()
    {
        return $this->getData('qty_ordered');
    }
    public function getQtyRefunded()
    {
        return $this->getData('qty_refunded');
    }
    public function getQtyInvoiced()
    {
        return $this->getData('qty_invoiced');
    }
}
