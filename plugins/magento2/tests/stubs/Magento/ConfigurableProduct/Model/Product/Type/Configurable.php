<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\ConfigurableProduct\Model\Product\Type;

class Configurable extends \Magento\Catalog\Model\Product\Type\AbstractType
{
    public function getParentIdsByChild($childId)
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
}
