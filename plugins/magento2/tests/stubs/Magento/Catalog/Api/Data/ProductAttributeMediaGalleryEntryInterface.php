<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Catalog\Api\Data;

interface ProductAttributeMediaGalleryEntryInterface
{
    public function getFile();
    public function getLabel();
    public function getPosition();
    public function isDisabled();
    public function getTypes();
    public function getMediaType();
}
