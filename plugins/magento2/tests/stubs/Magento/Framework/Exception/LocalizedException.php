<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Framework\Exception;

class LocalizedException extends \Exception
{
    /** @var \Magento\Framework\Phrase */
    protected $phrase;

    public function __construct(\Magento\Framework\Phrase $phrase, ?\Exception $cause = null, $code = 0)
    {
        $this->phrase = $phrase;
        parent::__construct($phrase->render(), (int) $code, $cause);
    }
}
