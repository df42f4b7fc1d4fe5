<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Framework\Data\Form\Element;

abstract class AbstractElement extends \Magento\Framework\DataObject
{
    public function getHtmlId()
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
}
