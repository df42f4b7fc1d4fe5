<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Framework\DB\Adapter;

class DuplicateException extends \Zend_Db_Adapter_Exception
{
    public function __construct($message = '', $code = 0, ?\Exception $e = null)
    {
        parent::__construct((string) $message, (int) $code, $e);
    }
}
