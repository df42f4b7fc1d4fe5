<?php
/**
 * TikTok status column in Products → All Products.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Admin;

use TikTokShopSync\ExtensionClient\HubException;
use TikTokShopSync\Plugin;

defined( 'ABSPATH' ) || exit;

/**
 * Shows each product's TikTok status and reason, fetched for the whole page in one short call to
 * GET /products/status and cached for a minute, so the list never waits on the hub twice.
 */
class ProductStatusColumn {

	const COLUMN    = 'tiktok_status';
	const CACHE_TTL = 60;

	/**
	 * Plugin.
	 *
	 * @var Plugin
	 */
	private $plugin;

	/**
	 * Statuses for the current page, keyed by product id; null until fetched.
	 *
	 * @var array|null
	 */
	private $statuses = null;

	/**
	 * Error from the hub for the current page.
	 *
	 * @var string
	 */
	private $error = '';

	/**
	 * Constructor.
	 *
	 * @param Plugin $plugin Plugin.
	 */
	public function __construct( Plugin $plugin ) {
		$this->plugin = $plugin;
	}

	/**
	 * Registers the column.
	 *
	 * @return void
	 */
	public function register() {
		add_filter( 'manage_edit-product_columns', array( $this, 'add_column' ), 20 );
		add_action( 'manage_product_posts_custom_column', array( $this, 'render' ), 10, 2 );
	}

	/**
	 * Adds the column after the stock column.
	 *
	 * @param array $columns Columns.
	 * @return array
	 */
	public function add_column( $columns ) {
		if ( ! $this->plugin->options()->is_configured() ) {
			return $columns;
		}
		$out = array();
		foreach ( $columns as $key => $label ) {
			$out[ $key ] = $label;
			if ( 'is_in_stock' === $key ) {
				$out[ self::COLUMN ] = __( 'TikTok', 'tiktok-shop-sync' );
			}
		}
		if ( ! isset( $out[ self::COLUMN ] ) ) {
			$out[ self::COLUMN ] = __( 'TikTok', 'tiktok-shop-sync' );
		}
		return $out;
	}

	/**
	 * Prints one cell.
	 *
	 * @param string $column  Column key.
	 * @param int    $post_id Product id.
	 * @return void
	 */
	public function render( $column, $post_id ) {
		if ( self::COLUMN !== $column ) {
			return;
		}
		echo wp_kses_post( $this->cell( (int) $post_id ) );
	}

	/**
	 * HTML of one cell.
	 *
	 * @param int $product_id Product id.
	 * @return string
	 */
	public function cell( $product_id ) {
		if ( null === $this->statuses ) {
			$this->statuses = $this->fetch( $this->ids_on_page( $product_id ) );
		}
		if ( '' !== $this->error ) {
			return '<span title="' . esc_attr( $this->error ) . '">' . esc_html__( 'Hub unreachable', 'tiktok-shop-sync' ) . '</span>';
		}
		$row = isset( $this->statuses[ (string) $product_id ] ) ? $this->statuses[ (string) $product_id ] : null;
		$html = ( $row && ! empty( $row['status'] ) )
			? '<strong>' . esc_html( $row['status'] ) . '</strong>'
			: '<span>' . esc_html__( 'Not sent yet', 'tiktok-shop-sync' ) . '</span>';
		if ( $row && ! empty( $row['reason'] ) ) {
			$html .= '<br /><small>' . esc_html( $row['reason'] ) . '</small>';
		}
		return $html;
	}

	/**
	 * Ids of the products listed on this page (falls back to the one being rendered).
	 *
	 * @param int $product_id Product being rendered.
	 * @return int[]
	 */
	private function ids_on_page( $product_id ) {
		global $wp_query;
		$ids = array();
		if ( $wp_query && ! empty( $wp_query->posts ) ) {
			foreach ( $wp_query->posts as $post ) {
				$ids[] = (int) ( is_object( $post ) ? $post->ID : $post );
			}
		}
		if ( ! in_array( $product_id, $ids, true ) ) {
			$ids[] = $product_id;
		}
		return $ids;
	}

	/**
	 * Statuses from the transient cache or the hub.
	 *
	 * @param int[] $ids Product ids.
	 * @return array
	 */
	private function fetch( array $ids ) {
		sort( $ids );
		$key    = 'tts_sync_status_' . md5( implode( ',', $ids ) );
		$cached = get_transient( $key );
		if ( is_array( $cached ) ) {
			return $cached;
		}
		try {
			$statuses = $this->plugin->client()->productStatuses( $ids, 3.0 );
		} catch ( HubException $e ) {
			$this->error = $e->getMessage();
			return array();
		}
		set_transient( $key, $statuses, self::CACHE_TTL );
		return $statuses;
	}
}
