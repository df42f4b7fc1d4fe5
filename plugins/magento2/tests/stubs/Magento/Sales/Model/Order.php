<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Sales\Model;

class Order extends \Magento\Framework\DataObject implements \Magento\Framework\Api\CustomAttributesDataInterface, \Magento\Sales\Api\Data\OrderInterface
{
    public function getCustomAttribute($attributeCode)
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
    public function getCustomAttributes()
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
    public function getEntityId()
    {
        return $this->getData('entity_id');
    }
    public function getIncrementId()
    {
        return $this->getData('increment_id');
    }
    public function getState()
    {
        return $this->getData('state');
    }
    public function getStatus()
    {
        return $this->getData('status');
    }
    public function setState($state)
    {
        return $this->setData('state', $state);
    }
    public function setStatus($status)
    {
        return $this->setData('status', $status);
    }
    public function getExtOrderId()
    {
        return $this->getData('ext_order_id');
    }
    public function setExtOrderId($id)
    {
        return $this->setData('ext_order_id', $id);
    }
    public function getItems()
    {
        // The order's Magento\Sales\Model\Order\Item objects (the doubles keep their summary in "items").
        return $this->getData('order_items') ?: [];
    }
    public function getOrderCurrencyCode()
    {
        return $this->getData('order_currency_code');
    }
}
