<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Sales\Model\Order\Creditmemo;

class Item extends \Magento\Framework\DataObject implements \Magento\Sales\Api\Data\CreditmemoItemInterface
{
    public function getOrderItemId()
    {
        return $this->getData('order_item_id');
    }
    public function getProductId()
    {
        return $this->getData('product_id');
    }
    public function getQty()
    {
        return $this->getData('qty');
    }
    public function getRowTotalInclTax()
    {
        return $this->getData('row_total_incl_tax');
    }
}
