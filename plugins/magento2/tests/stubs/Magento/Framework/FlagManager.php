<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Framework;

class FlagManager
{
    public function getFlagData($code)
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
    public function saveFlag($code, $value)
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
    public function deleteFlag($code)
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
}
