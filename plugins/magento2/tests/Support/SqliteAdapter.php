<?php

declare(strict_types=1);

namespace TikTokShopSync\ConnectorTests\Support;

use Magento\Framework\DB\Adapter\AdapterInterface;
use Magento\Framework\DB\Adapter\DuplicateException;

/**
 * Magento's DB adapter interface (the methods the module calls, same signatures) over an in-memory
 * SQLite database. The module's tables are created from its etc/db_schema.xml, so the SQL the
 * module runs is checked against the declared schema; where-arrays and duplicate-key errors behave
 * like Magento's MySQL adapter ("col = ?" => value, DuplicateException).
 */
final class SqliteAdapter implements AdapterInterface
{
    public \PDO $pdo;
    private int $level = 0;

    /** @var string[] Every statement run, for tests that count queries. */
    public array $log = [];

    public function __construct()
    {
        $this->pdo = new \PDO('sqlite::memory:');
        $this->pdo->setAttribute(\PDO::ATTR_ERRMODE, \PDO::ERRMODE_EXCEPTION);
        $this->pdo->setAttribute(\PDO::ATTR_DEFAULT_FETCH_MODE, \PDO::FETCH_ASSOC);
        $this->pdo->setAttribute(\PDO::ATTR_STRINGIFY_FETCHES, true);
        $this->createFromSchema(dirname(__DIR__, 2) . '/etc/db_schema.xml');
        // The Magento core tables the module reads, with the columns it uses.
        $this->pdo->exec('CREATE TABLE catalog_product_entity (entity_id INTEGER PRIMARY KEY, type_id TEXT, sku TEXT)');
        $this->pdo->exec(
            'CREATE TABLE catalog_product_website (product_id INTEGER, website_id INTEGER, PRIMARY KEY (product_id,'
                . ' website_id))'
        );
        $this->pdo->exec(
            'CREATE TABLE catalog_product_super_link (link_id INTEGER PRIMARY KEY, product_id INTEGER, parent_id'
                . ' INTEGER)'
        );
        $this->pdo->exec('CREATE TABLE eav_attribute (attribute_id INTEGER PRIMARY KEY, attribute_code TEXT)');
    }

    private function createFromSchema(string $file): void
    {
        $xml = simplexml_load_file($file);
        foreach ($xml->table as $table) {
            $columns = [];
            $identity = null;
            foreach ($table->column as $column) {
                $attrs = $column->attributes('http://www.w3.org/2001/XMLSchema-instance');
                $type = (string) $attrs['type'];
                $name = (string) $column['name'];
                $sqlType = in_array(
                    $type,
                    ['int', 'smallint', 'bigint', 'tinyint', 'boolean'],
                    true
                ) ? 'INTEGER' : 'TEXT';
                if ('true' === (string) $column['identity']) {
                    $identity = $name;
                    $columns[] = $name . ' INTEGER PRIMARY KEY AUTOINCREMENT';
                    continue;
                }
                $definition = $name . ' ' . $sqlType;
                if ('false' === (string) $column['nullable']) {
                    $definition .= ' NOT NULL';
                }
                if (isset($column['default'])) {
                    $definition .= ' DEFAULT ' . $this->pdo->quote((string) $column['default']);
                }
                if (isset($column['length'])) {
                    $definition .= ' CHECK (length(' . $name . ') <= ' . (int) $column['length'] . ')';
                }
                $columns[] = $definition;
            }
            foreach ($table->constraint as $constraint) {
                $type = (string) $constraint->attributes('http://www.w3.org/2001/XMLSchema-instance')['type'];
                $names = [];
                foreach ($constraint->column as $c) {
                    $names[] = (string) $c['name'];
                }
                if ('unique' === $type) {
                    $columns[] = 'UNIQUE (' . implode(', ', $names) . ')';
                } elseif ('primary' === $type && $names !== [$identity]) {
                    $columns[] = 'PRIMARY KEY (' . implode(', ', $names) . ')';
                }
            }
            $this->pdo->exec('CREATE TABLE ' . $table['name'] . ' (' . implode(', ', $columns) . ')');
        }
    }

    public function beginTransaction()
    {
        if (0 === $this->level) {
            $this->pdo->beginTransaction();
        }
        ++$this->level;
        return $this;
    }

    public function commit()
    {
        --$this->level;
        if (0 === $this->level) {
            $this->pdo->commit();
        }
        return $this;
    }

    public function rollBack()
    {
        --$this->level;
        if (0 === $this->level) {
            $this->pdo->rollBack();
        }
        return $this;
    }

    public function insert($table, array $bind)
    {
        $sql = 'INSERT INTO ' . $table . ' (' . implode(', ', array_keys($bind)) . ') VALUES ('
            . implode(', ', array_fill(0, count($bind), '?')) . ')';
        return $this->run($sql, array_values($bind))->rowCount();
    }

    public function update($table, array $bind, $where = '')
    {
        $sets = [];
        foreach (array_keys($bind) as $column) {
            $sets[] = $column . ' = ?';
        }
        [$whereSql, $whereBind] = $this->where($where);
        return $this->run(
            'UPDATE ' . $table . ' SET ' . implode(', ', $sets) . $whereSql,
            array_merge(array_values($bind), $whereBind)
        )->rowCount();
    }

    public function delete($table, $where = '')
    {
        [$whereSql, $whereBind] = $this->where($where);
        return $this->run('DELETE FROM ' . $table . $whereSql, $whereBind)->rowCount();
    }

    public function fetchAll($sql, $bind = [], $fetchMode = null)
    {
        return $this->run($sql, $bind)->fetchAll();
    }

    public function fetchOne($sql, $bind = [])
    {
        $value = $this->run($sql, $bind)->fetchColumn();
        return false === $value ? false : $value;
    }

    public function fetchCol($sql, $bind = [])
    {
        return $this->run($sql, $bind)->fetchAll(\PDO::FETCH_COLUMN);
    }

    public function fetchRow($sql, $bind = [], $fetchMode = null)
    {
        return $this->run($sql, $bind)->fetch();
    }

    public function query($sql, $bind = [])
    {
        return $this->run($sql, $bind);
    }

    public function transactionLevel(): int
    {
        return $this->level;
    }

    /**
     * Magento's where forms: a string, or an array of "expression with ?" => value / plain expressions.
     *
     * @return array{0:string,1:array<int,mixed>}
     */
    private function where($where): array
    {
        if ('' === $where || [] === $where) {
            return ['', []];
        }
        if (is_string($where)) {
            return [' WHERE ' . $where, []];
        }
        $parts = [];
        $bind = [];
        foreach ($where as $expression => $value) {
            if (is_int($expression)) {
                $parts[] = '(' . $value . ')';
                continue;
            }
            $parts[] = '(' . $expression . ')';
            $bind[] = $value;
        }
        return [' WHERE ' . implode(' AND ', $parts), $bind];
    }

    /**
     * @param array<int|string,mixed> $bind
     */
    private function run(string $sql, $bind): \PDOStatement
    {
        $this->log[] = $sql;
        // MySQL-only syntax would pass here and fail in Magento: refuse it.
        if (preg_match('/\b(INSERT\s+IGNORE|ON\s+DUPLICATE\s+KEY|REPLACE\s+INTO)\b/i', $sql)) {
            throw new \LogicException('MySQL-only SQL in the module: ' . $sql);
        }
        try {
            $statement = $this->pdo->prepare($sql);
            $statement->execute(array_values((array) $bind));
        } catch (\PDOException $e) {
            if (str_contains($e->getMessage(), 'UNIQUE constraint failed')) {
                throw new DuplicateException($e->getMessage(), 1062, $e);
            }
            throw $e;
        }
        return $statement;
    }
}
