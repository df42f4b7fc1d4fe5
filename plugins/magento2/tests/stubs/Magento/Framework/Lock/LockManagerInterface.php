<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Framework\Lock;

interface LockManagerInterface
{
    public function lock(string $name, int $timeout = -1): bool;
    public function unlock(string $name): bool;
    public function isLocked(string $name): bool;
}
