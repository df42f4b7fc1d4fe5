<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Catalog\Model;

class Product extends \Magento\Framework\DataObject implements \Magento\Catalog\Api\Data\ProductInterface
{
    public function getId()
    {
        return $this->getData('entity_id');
    }
    public function getSku()
    {
        return $this->getData('sku');
    }
    public function getName()
    {
        return $this->getData('name');
    }
    public function getTypeId()
    {
        return $this->getData('type_id');
    }
    public function getStatus()
    {
        return $this->getData('status');
    }
    public function getVisibility()
    {
        return $this->getData('visibility');
    }
    public function getPrice()
    {
        return $this->getData('price');
    }
    public function getWeight()
    {
        return $this->getData('weight');
    }
    public function getMediaGalleryEntries()
    {
        return $this->getData('media_gallery_entries');
    }
    public function getExtensionAttributes()
    {
        return $this->getData('extension_attributes');
    }
    public function getCustomAttribute($attributeCode)
    {
        $custom = (array) $this->getData('custom_attributes');
        return array_key_exists($attributeCode, $custom)
            ? new \Magento\Framework\Api\AttributeValue(['attribute_code' => $attributeCode, 'value' => $custom[$attributeCode]])
            : null;
    }
    public function getCustomAttributes()
    {
        $out = [];
        foreach ((array) $this->getData('custom_attributes') as $code => $value) {
            $out[] = new \Magento\Framework\Api\AttributeValue(['attribute_code' => $code, 'value' => $value]);
        }
        return $out;
    }
}
