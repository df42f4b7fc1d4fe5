<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Store\Api\Data;

interface StoreConfigInterface
{
    public function getCode();
    public function getBaseCurrencyCode();
    public function getWeightUnit();
    public function getSecureBaseUrl();
    public function getSecureBaseMediaUrl();
}
