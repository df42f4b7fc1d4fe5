<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Store\Model;

interface StoreManagerInterface
{
    public function getWebsites($withDefault = false, $codeKey = false);
    public function getWebsite($websiteId = null);
    public function getStore($storeId = null);
    public function getGroup($groupId = null);
    public function setCurrentStore($store);
}
