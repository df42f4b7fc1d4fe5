<?php
/**
 * The part of wpdb the plugin's tables use, over PDO SQLite in memory, so the SQL really runs.
 *
 * @package TikTokShopSync\Tests
 */

/** Minimal wpdb. */
class SqliteWpdb {
	public $prefix = 'wp_';
	public $insert_id = 0;
	public $last_error = '';
	/** @var PDO */
	public $pdo;
	private $suppress = false;

	public function __construct() {
		$this->pdo = new PDO( 'sqlite::memory:' );
		$this->pdo->setAttribute( PDO::ATTR_ERRMODE, PDO::ERRMODE_SILENT );
		$this->pdo->exec( 'CREATE TABLE wp_tts_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, event_type TEXT NOT NULL, dedupe_key TEXT, payload TEXT NOT NULL, state TEXT NOT NULL DEFAULT \'pending\', attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL DEFAULT 0, last_error TEXT, created_at INTEGER NOT NULL DEFAULT 0)' );
		$this->pdo->exec( 'CREATE TABLE wp_tts_order_map (id INTEGER PRIMARY KEY AUTOINCREMENT, tiktok_order_id TEXT NOT NULL UNIQUE, order_id INTEGER NOT NULL DEFAULT 0, claimed_at INTEGER NOT NULL DEFAULT 0)' );
	}
	public function suppress_errors( $suppress = true ) {
		$old            = $this->suppress;
		$this->suppress = $suppress;
		return $old;
	}
	public function prepare( $query, ...$args ) {
		if ( 1 === count( $args ) && is_array( $args[0] ) ) {
			$args = $args[0];
		}
		$i = 0;
		return preg_replace_callback(
			'/%[sdf]/',
			function ( $m ) use ( &$i, $args ) {
				$value = $args[ $i++ ];
				if ( '%d' === $m[0] ) {
					return (string) (int) $value;
				}
				if ( '%f' === $m[0] ) {
					return (string) (float) $value;
				}
				return $this->pdo->quote( (string) $value );
			},
			$query
		);
	}
	public function query( $sql ) {
		$count = $this->pdo->exec( $sql );
		if ( false === $count ) {
			$this->last_error = implode( ' ', $this->pdo->errorInfo() );
			return false;
		}
		return $count;
	}
	public function get_var( $sql ) {
		$statement = $this->pdo->query( $sql );
		if ( false === $statement ) {
			// As wpdb: an error (a missing table) gives null and last_error.
			$this->last_error = implode( ' ', $this->pdo->errorInfo() );
			return null;
		}
		$row = $statement->fetch( PDO::FETCH_NUM );
		return $row ? $row[0] : null;
	}
	public function get_row( $sql, $output = 'OBJECT' ) {
		$row = $this->pdo->query( $sql )->fetch( PDO::FETCH_ASSOC );
		return $row ? $row : null;
	}
	public function get_results( $sql, $output = 'OBJECT' ) {
		return $this->pdo->query( $sql )->fetchAll( PDO::FETCH_ASSOC );
	}
	public function insert( $table, array $data, $format = null ) {
		$columns = implode( ',', array_keys( $data ) );
		$values  = implode( ',', array_map( array( $this, 'literal' ), $data ) );
		$count   = $this->query( "INSERT INTO {$table} ({$columns}) VALUES ({$values})" );
		if ( false !== $count ) {
			$this->insert_id = (int) $this->pdo->lastInsertId();
		}
		return $count;
	}
	public function update( $table, array $data, array $where, $format = null, $where_format = null ) {
		$set = implode( ', ', array_map( function ( $k, $v ) { return "{$k} = " . $this->literal( $v ); }, array_keys( $data ), $data ) );
		return $this->query( "UPDATE {$table} SET {$set} WHERE " . $this->where( $where ) );
	}
	public function delete( $table, array $where, $where_format = null ) {
		return $this->query( "DELETE FROM {$table} WHERE " . $this->where( $where ) );
	}
	private function where( array $where ) {
		return implode( ' AND ', array_map( function ( $k, $v ) { return "{$k} = " . $this->literal( $v ); }, array_keys( $where ), $where ) );
	}
	private function literal( $value ) {
		if ( null === $value ) {
			return 'NULL';
		}
		return is_int( $value ) ? (string) $value : $this->pdo->quote( (string) $value );
	}
}
