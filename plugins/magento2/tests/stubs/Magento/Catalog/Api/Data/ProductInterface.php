<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Catalog\Api\Data;

interface ProductInterface extends \Magento\Framework\Api\CustomAttributesDataInterface
{
    public function getId();
    public function getSku();
    public function getName();
    public function getTypeId();
    public function getStatus();
    public function getVisibility();
    public function getPrice();
    public function getWeight();
    public function getMediaGalleryEntries();
    public function getExtensionAttributes();
}
