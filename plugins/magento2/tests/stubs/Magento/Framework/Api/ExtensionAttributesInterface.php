<?php

// Declaration stub for tests, as in Magento Open Source 2.4.7-p7.

namespace Magento\Framework\Api;

interface ExtensionAttributesInterface
{
}
