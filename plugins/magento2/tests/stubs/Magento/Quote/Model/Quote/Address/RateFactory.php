<?php

// Declaration stub for tests. Magento generates this factory (generated/code) for
// Magento\Quote\Model\Quote\Address\Rate with this single method.

namespace Magento\Quote\Model\Quote\Address;

class RateFactory
{
    public function create(array $data = [])
    {
        return new Rate($data);
    }
}
