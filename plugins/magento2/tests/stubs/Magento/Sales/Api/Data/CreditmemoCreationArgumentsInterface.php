<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Sales\Api\Data;

interface CreditmemoCreationArgumentsInterface
{
    public function getShippingAmount();
    public function getAdjustmentPositive();
    public function getAdjustmentNegative();
    public function setShippingAmount($amount);
    public function setAdjustmentPositive($amount);
    public function setAdjustmentNegative($amount);
    public function getExtensionAttributes();
    public function setExtensionAttributes(
        \Magento\Sales\Api\Data\CreditmemoCreationArgumentsExtensionInterface $extensionAttributes
    );
}
