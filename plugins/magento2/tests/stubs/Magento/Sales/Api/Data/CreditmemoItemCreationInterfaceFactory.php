<?php

// Declaration stub for tests. Magento generates this factory (generated/code) for
// the preference of CreditmemoItemCreationInterface, with this single method.

namespace Magento\Sales\Api\Data;

class CreditmemoItemCreationInterfaceFactory
{
    public function create(array $data = [])
    {
        return new \Magento\Sales\Model\Order\Creditmemo\ItemCreation();
    }
}
