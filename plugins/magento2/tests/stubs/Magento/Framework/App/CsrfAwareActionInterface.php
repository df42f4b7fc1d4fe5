<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Framework\App;

interface CsrfAwareActionInterface extends \Magento\Framework\App\ActionInterface
{
    public function createCsrfValidationException(\Magento\Framework\App\RequestInterface $request): ?\Magento\Framework\App\Request\InvalidRequestException;
    public function validateForCsrf(\Magento\Framework\App\RequestInterface $request): ?bool;
}
