<?php

// Declaration stub for tests. Magento generates this interface (generated/code) from the modules'
// extension_attributes.xml; website_ids is declared by Magento_Catalog.

namespace Magento\Catalog\Api\Data;

interface ProductExtensionInterface extends \Magento\Framework\Api\ExtensionAttributesInterface
{
    public function getWebsiteIds();

    public function setWebsiteIds($websiteIds);
}
