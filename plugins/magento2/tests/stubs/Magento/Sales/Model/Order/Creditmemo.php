<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Sales\Model\Order;

class Creditmemo extends \Magento\Framework\DataObject implements \Magento\Sales\Api\Data\CreditmemoInterface
{
    public function getEntityId()
    {
        return $this->getData('entity_id');
    }
    public function getIncrementId()
    {
        return $this->getData('increment_id');
    }
    public function getOrderId()
    {
        return $this->getData('order_id');
    }
    public function getGrandTotal()
    {
        return $this->getData('grand_total');
    }
    public function getOrderCurrencyCode()
    {
        return $this->getData('order_currency_code');
    }
    public function getItems()
    {
        return $this->getData('items');
    }
}
