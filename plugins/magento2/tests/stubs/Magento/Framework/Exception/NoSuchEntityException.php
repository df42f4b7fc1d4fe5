<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Framework\Exception;

class NoSuchEntityException extends \Magento\Framework\Exception\LocalizedException
{
    public function __construct(?\Magento\Framework\Phrase $phrase = null, ?\Exception $cause = null, $code = 0)
    {
        parent::__construct($phrase ?? new \Magento\Framework\Phrase('No such entity.'), $cause, $code);
    }
}
