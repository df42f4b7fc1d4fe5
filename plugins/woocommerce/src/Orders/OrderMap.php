<?php
/**
 * TikTok order id ↔ WooCommerce order id.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Orders;

defined( 'ABSPATH' ) || exit;

/**
 * The {prefix}tts_order_map table, whose UNIQUE key on tiktok_order_id lets exactly one worker
 * create the order for a TikTok order, however often the command is delivered.
 */
class OrderMap {

	const TABLE = 'tts_order_map';

	/**
	 * Database handle.
	 *
	 * @var \wpdb
	 */
	private $db;

	/**
	 * Constructor.
	 *
	 * @param \wpdb $db Database handle.
	 */
	public function __construct( $db ) {
		$this->db = $db;
	}

	/**
	 * Table name with prefix.
	 *
	 * @return string
	 */
	private function table() {
		return $this->db->prefix . self::TABLE;
	}

	/**
	 * The row for a TikTok order.
	 *
	 * @param string $tiktok_order_id TikTok order id.
	 * @return array{order_id:int,claimed_at:int}|null
	 */
	public function find( $tiktok_order_id ) {
		$table = $this->table();
		$row   = $this->db->get_row(
			$this->db->prepare( "SELECT order_id, claimed_at FROM {$table} WHERE tiktok_order_id = %s", (string) $tiktok_order_id ), // phpcs:ignore
			ARRAY_A
		);
		if ( ! $row ) {
			return null;
		}
		return array(
			'order_id'   => (int) $row['order_id'],
			'claimed_at' => (int) $row['claimed_at'],
		);
	}

	/**
	 * Claims a TikTok order for creation. Only one caller can succeed.
	 *
	 * @param string $tiktok_order_id TikTok order id.
	 * @return bool
	 */
	public function claim( $tiktok_order_id ) {
		$suppress = $this->db->suppress_errors( true );
		$inserted = $this->db->insert(
			$this->table(),
			array(
				'tiktok_order_id' => (string) $tiktok_order_id,
				'order_id'        => 0,
				'claimed_at'      => time(),
			),
			array( '%s', '%d', '%d' )
		);
		$this->db->suppress_errors( $suppress );
		return false !== $inserted && $inserted > 0;
	}

	/**
	 * Takes over a claim left by a worker that died before creating the order.
	 *
	 * @param string $tiktok_order_id TikTok order id.
	 * @param int    $stale_after     Seconds after which a claim without an order counts as abandoned.
	 * @return bool
	 */
	public function take_over_stale_claim( $tiktok_order_id, $stale_after ) {
		$table = $this->table();
		$now   = time();
		$rows  = $this->db->query(
			$this->db->prepare(
				"UPDATE {$table} SET claimed_at = %d WHERE tiktok_order_id = %s AND order_id = 0 AND claimed_at < %d", // phpcs:ignore
				$now,
				(string) $tiktok_order_id,
				$now - (int) $stale_after
			)
		);
		return 1 === (int) $rows;
	}

	/**
	 * Records the created order.
	 *
	 * @param string $tiktok_order_id TikTok order id.
	 * @param int    $order_id        WooCommerce order id.
	 * @return void
	 */
	public function attach( $tiktok_order_id, $order_id ) {
		$table = $this->table();
		$this->db->query(
			$this->db->prepare(
				"UPDATE {$table} SET order_id = %d WHERE tiktok_order_id = %s", // phpcs:ignore
				(int) $order_id,
				(string) $tiktok_order_id
			)
		);
		if ( ! $this->find( $tiktok_order_id ) ) {
			$this->db->insert(
				$table,
				array(
					'tiktok_order_id' => (string) $tiktok_order_id,
					'order_id'        => (int) $order_id,
					'claimed_at'      => time(),
				),
				array( '%s', '%d', '%d' )
			);
		}
	}

	/**
	 * Drops a claim after a failed attempt, so a later delivery can try again.
	 *
	 * @param string $tiktok_order_id TikTok order id.
	 * @return void
	 */
	public function release( $tiktok_order_id ) {
		$this->db->delete(
			$this->table(),
			array(
				'tiktok_order_id' => (string) $tiktok_order_id,
				'order_id'        => 0,
			),
			array( '%s', '%d' )
		);
	}
}
