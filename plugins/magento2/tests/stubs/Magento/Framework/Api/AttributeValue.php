<?php

// Declaration stub for tests: Magento\Framework\Api\AttributeValue (2.4.7-p7) holds a custom
// attribute's code and value; its constructor is AbstractSimpleObject's (array $data = []).

namespace Magento\Framework\Api;

class AttributeValue implements AttributeInterface
{
    /** @var array<string,mixed> */
    protected $_data;

    public function __construct(array $data = [])
    {
        $this->_data = $data;
    }

    public function getAttributeCode()
    {
        return $this->_data['attribute_code'] ?? null;
    }

    public function getValue()
    {
        return $this->_data['value'] ?? null;
    }
}
