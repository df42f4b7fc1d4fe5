<?php
/**
 * Carrier names kept by the Advanced Shipment Tracking plugin.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Orders;

defined( 'ABSPATH' ) || exit;

/**
 * Advanced Shipment Tracking (AST) stores a tracking item's carrier as a slug ("royal-mail",
 * "dpd-uk", or a slug it made for the merchant's own carrier) and keeps the names in its table
 * {prefix}woo_shippment_provider (ts_slug → provider_name). The name is what the merchant picked and
 * what the hub's carrier mapping shows, so it is sent instead of the slug when the table knows it.
 */
class AstProviders {

	const TABLE = 'woo_shippment_provider';

	/**
	 * Database handle (wpdb or a compatible object).
	 *
	 * @var \wpdb
	 */
	private $db;

	/**
	 * Whether the table exists (null until checked).
	 *
	 * @var bool|null
	 */
	private $exists = null;

	/**
	 * Constructor.
	 *
	 * @param \wpdb $db Database handle.
	 */
	public function __construct( $db ) {
		$this->db = $db;
	}

	/**
	 * The provider name for a slug, or null when AST is not installed or does not know it.
	 *
	 * @param string $slug Stored slug.
	 * @return string|null
	 */
	public function name( $slug ) {
		$slug = trim( (string) $slug );
		if ( '' === $slug || ! $this->table_exists() ) {
			return null;
		}
		$table = $this->db->prefix . self::TABLE;
		$name  = $this->db->get_var( $this->db->prepare( "SELECT provider_name FROM {$table} WHERE ts_slug = %s LIMIT 1", $slug ) ); // phpcs:ignore
		return ( is_string( $name ) && '' !== trim( $name ) ) ? trim( $name ) : null;
	}

	/**
	 * Whether AST's provider table exists.
	 *
	 * @return bool
	 */
	private function table_exists() {
		if ( null === $this->exists ) {
			$suppress     = $this->db->suppress_errors( true );
			$this->exists = null !== $this->db->get_var( 'SELECT COUNT(*) FROM ' . $this->db->prefix . self::TABLE ); // phpcs:ignore
			$this->db->suppress_errors( $suppress );
		}
		return $this->exists;
	}
}
