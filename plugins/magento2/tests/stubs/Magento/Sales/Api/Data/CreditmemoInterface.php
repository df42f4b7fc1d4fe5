<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Sales\Api\Data;

interface CreditmemoInterface extends \Magento\Framework\Api\ExtensibleDataInterface
{
    public function getEntityId();
    public function getIncrementId();
    public function getOrderId();
    public function getGrandTotal();
    public function getOrderCurrencyCode();
    public function getItems();
}
