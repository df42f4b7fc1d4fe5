<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Framework\App\Request;

class Http implements \Magento\Framework\App\RequestInterface
{
    public function getContent()
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
    public function getHeader($name, $default = false)
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
    public function getRequestUri()
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
    public function getMethod()
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
    public function getParam($key, $default = null)
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
}
