<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Catalog\Api\Data;

interface ProductAttributeInterface extends \Magento\Framework\Api\CustomAttributesDataInterface
{
    public function getAttributeCode();
    public function getOptions();
}
