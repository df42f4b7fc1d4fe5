<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Quote\Model\Quote;

class Address extends \Magento\Framework\DataObject implements \Magento\Framework\Api\CustomAttributesDataInterface
{
    public function getCustomAttribute($attributeCode)
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
    public function getCustomAttributes()
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
    public function addShippingRate(\Magento\Quote\Model\Quote\Address\Rate $rate)
    {
        $this->_data['shipping_rates'][(string) $rate->getData('code')] = $rate;
        return $this;
    }
    public function removeAllShippingRates()
    {
        $this->_data['shipping_rates'] = [];
        return $this;
    }
    public function getShippingRateByCode($code)
    {
        return $this->_data['shipping_rates'][$code] ?? false;
    }
}
