<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Sales\Model\Order\Creditmemo;

class ItemCreation extends \Magento\Framework\DataObject implements \Magento\Sales\Api\Data\CreditmemoItemCreationInterface
{
    public function getOrderItemId()
    {
        return $this->getData('order_item_id');
    }
    public function setOrderItemId($orderItemId)
    {
        return $this->setData('order_item_id', $orderItemId);
    }
    public function getQty()
    {
        return $this->getData('qty');
    }
    public function setQty($qty)
    {
        return $this->setData('qty', $qty);
    }
}
