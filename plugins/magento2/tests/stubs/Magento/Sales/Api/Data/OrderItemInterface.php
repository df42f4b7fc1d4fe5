<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Sales\Api\Data;

interface OrderItemInterface extends \Magento\Framework\Api\ExtensibleDataInterface
{
    public function getItemId();
    public function getParentItemId();
    public function getProductId();
    public function getSku();
    public function getPriceInclTax();
    public function getQtyOrdered();
    public function getQtyRefunded();
    public function getQtyInvoiced();
}
