<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Framework\DB\Adapter;

interface AdapterInterface
{
    public function beginTransaction();
    public function commit();
    public function rollBack();
    public function insert($table, array $bind);
    public function update($table, array $bind, $where = '');
    public function delete($table, $where = '');
    public function fetchAll($sql, $bind = [], $fetchMode = null);
    public function fetchOne($sql, $bind = []);
    public function fetchCol($sql, $bind = []);
    public function fetchRow($sql, $bind = [], $fetchMode = null);
    public function query($sql, $bind = []);
}
