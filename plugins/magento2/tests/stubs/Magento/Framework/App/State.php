<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Framework\App;

class State
{
    public function emulateAreaCode($areaCode, $callback, $params = [])
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
}
