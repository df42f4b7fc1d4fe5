<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Framework\App;

class ResourceConnection
{
    public const DEFAULT_CONNECTION = 'default';
    public function getConnection($resourceName = self::DEFAULT_CONNECTION)
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
    public function getTableName($modelEntity, $connectionName = self::DEFAULT_CONNECTION)
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
}
