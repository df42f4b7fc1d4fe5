<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Sales\Api\Data;

interface OrderInterface
{
    public function getEntityId();
    public function getIncrementId();
    public function getState();
    public function getStatus();
    public function setState($state);
    public function setStatus($status);
    public function getExtOrderId();
    public function setExtOrderId($id);
    public function getItems();
    public function getOrderCurrencyCode();
}
