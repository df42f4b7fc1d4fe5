<?php

// Declaration stub for tests. Magento generates this factory (generated/code) for
// the generated extension attributes class, with this single method.

namespace Magento\Sales\Api\Data;

class CreditmemoCreationArgumentsExtensionFactory
{
    public function create(array $data = [])
    {
        return new \Magento\Sales\Api\Data\CreditmemoCreationArgumentsExtension($data);
    }
}
