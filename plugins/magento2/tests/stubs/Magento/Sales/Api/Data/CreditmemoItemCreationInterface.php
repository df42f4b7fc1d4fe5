<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Sales\Api\Data;

interface CreditmemoItemCreationInterface extends LineItemInterface, \Magento\Framework\Api\ExtensibleDataInterface
{
}
