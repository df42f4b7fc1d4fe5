<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Framework\Controller\Result;

class Json implements \Magento\Framework\Controller\ResultInterface
{
    /** @var string */
    public $json = '';

    /** @var int */
    public $httpCode = 200;

    public function setData($data, $cycleCheck = false, $options = [])
    {
        $this->json = json_encode($data);
        return $this;
    }
    public function setHttpResponseCode($httpCode)
    {
        $this->httpCode = (int) $httpCode;
        return $this;
    }
}
