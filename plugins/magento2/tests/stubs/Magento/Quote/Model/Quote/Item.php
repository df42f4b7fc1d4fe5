<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Quote\Model\Quote;

class Item extends \Magento\Quote\Model\Quote\Item\AbstractItem
{
    public function getProduct()
    {
        return $this->getData('product');
    }
}
