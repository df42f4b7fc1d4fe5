<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Quote\Model\Quote\Item;

abstract class AbstractItem extends \Magento\Framework\DataObject implements \Magento\Framework\Api\CustomAttributesDataInterface
{
    public function getCustomAttribute($attributeCode)
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
    public function getCustomAttributes()
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
    public function setCustomPrice($value)
    {
        return $this->setData('custom_price', $value);
    }
    public function getProduct()
    {
        return $this->getData('product');
    }
}
