<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Sales\Model\Order\Creditmemo;

class ItemCreation implements \Magento\Sales\Api\Data\CreditmemoItemCreationInterface
{
    private $orderItemId;
    private $qty;

    public function getOrderItemId()
    {
        return $this->orderItemId;
    }
    public function setOrderItemId($orderItemId)
    {
        $this->orderItemId = $orderItemId;
    }
    public function getQty()
    {
        return $this->qty;
    }
    public function setQty($qty)
    {
        $this->qty = $qty;
    }
}
