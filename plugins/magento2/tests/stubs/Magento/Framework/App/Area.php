<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Framework\App;

class Area
{
    public const AREA_CRONTAB = 'crontab';
    public const AREA_ADMINHTML = 'adminhtml';
}
