<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Backend\App;

abstract class Action implements \Magento\Framework\App\ActionInterface
{
    /** @var \Magento\Backend\App\Action\Context */
    protected $context;

    public function __construct(\Magento\Backend\App\Action\Context $context)
    {
        $this->context = $context;
    }
    public function getRequest()
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
}
