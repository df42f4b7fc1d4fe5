<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Sales\Model\Order\Creditmemo;

class CreationArguments implements \Magento\Sales\Api\Data\CreditmemoCreationArgumentsInterface
{
    private $shippingAmount;
    private $adjustmentPositive;
    private $adjustmentNegative;
    private $extensionAttributes;

    public function getShippingAmount()
    {
        return $this->shippingAmount;
    }
    public function getAdjustmentPositive()
    {
        return $this->adjustmentPositive;
    }
    public function getAdjustmentNegative()
    {
        return $this->adjustmentNegative;
    }
    public function setShippingAmount($amount)
    {
        $this->shippingAmount = $amount;
    }
    public function setAdjustmentPositive($amount)
    {
        $this->adjustmentPositive = $amount;
    }
    public function setAdjustmentNegative($amount)
    {
        $this->adjustmentNegative = $amount;
    }
    public function getExtensionAttributes()
    {
        return $this->extensionAttributes;
    }
    public function setExtensionAttributes(
        \Magento\Sales\Api\Data\CreditmemoCreationArgumentsExtensionInterface $extensionAttributes
    ) {
        $this->extensionAttributes = $extensionAttributes;
    }
}
