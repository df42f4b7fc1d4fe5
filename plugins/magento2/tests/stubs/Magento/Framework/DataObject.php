<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Framework;

class DataObject
{
    /** @var array<string,mixed> */
    protected $_data = [];

    public function __construct(array $data = [])
    {
        $this->_data = $data;
    }
    public function getData($key = '', $index = null)
    {
        if ('' === $key) {
            return $this->_data;
        }
        $value = $this->_data[$key] ?? null;
        return null !== $index && is_array($value) ? ($value[$index] ?? null) : $value;
    }
    public function setData($key, $value = null)
    {
        if (is_array($key)) {
            $this->_data = $key;
        } else {
            $this->_data[$key] = $value;
        }
        return $this;
    }
    public function addData(array $arr)
    {
        foreach ($arr as $key => $value) {
            $this->setData($key, $value);
        }
        return $this;
    }
    public function unsetData($key = null)
    {
        if (null === $key) {
            $this->_data = [];
        } else {
            unset($this->_data[$key]);
        }
        return $this;
    }
    public function hasData($key = '')
    {
        return '' === $key ? !empty($this->_data) : array_key_exists($key, $this->_data);
    }
    public function __call($method, $args)
    {
        $key = strtolower(trim(preg_replace('/([A-Z]|[0-9]+)/', '_$1', substr($method, 3)), '_'));
        switch (substr($method, 0, 3)) {
            case 'get':
                return $this->getData($key, $args[0] ?? null);
            case 'set':
                return $this->setData($key, $args[0] ?? null);
            case 'uns':
                return $this->unsetData($key);
            case 'has':
                return isset($this->_data[$key]);
        }
        throw new \BadMethodCallException('Invalid method ' . static::class . '::' . $method);
    }
}
