<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Quote\Model;

class QuoteManagement implements \Magento\Quote\Api\CartManagementInterface
{
    public function createEmptyCart()
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
    public function submit(\Magento\Quote\Model\Quote $quote, $orderData = [])
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
}
