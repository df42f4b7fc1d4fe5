<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Sales\Model\Order\Creditmemo;

class CreationArguments extends \Magento\Framework\DataObject implements
    \Magento\Sales\Api\Data\CreditmemoCreationArgumentsInterface
{
    public function getShippingAmount()
    {
        return $this->getData('shipping_amount');
    }
    public function getAdjustmentPositive()
    {
        return $this->getData('adjustment_positive');
    }
    public function getAdjustmentNegative()
    {
        return $this->getData('adjustment_negative');
    }
    public function setShippingAmount($amount)
    {
        return $this->setData('shipping_amount', $amount);
    }
    public function setAdjustmentPositive($amount)
    {
        return $this->setData('adjustment_positive', $amount);
    }
    public function setAdjustmentNegative($amount)
    {
        return $this->setData('adjustment_negative', $amount);
    }
    public function getExtensionAttributes()
    {
        return $this->getData('extension_attributes');
    }
    public function setExtensionAttributes(
        \Magento\Sales\Api\Data\CreditmemoCreationArgumentsExtensionInterface $extensionAttributes
    ) {
        return $this->setData('extension_attributes', $extensionAttributes);
    }
}
