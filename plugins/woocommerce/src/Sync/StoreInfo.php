<?php
/**
 * The store facts the hub needs (store.update).
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Sync;

defined( 'ABSPATH' ) || exit;

/**
 * Builds the store.update payload: currency, units, versions, base URL.
 *
 * The hub stops synchronisation when the store's currency differs from the TikTok shop's, so this is
 * sent on activation, on every settings save, at the start of a catalog export and whenever
 * WooCommerce's currency or unit settings change.
 */
class StoreInfo {

	/**
	 * WooCommerce options whose change must reach the hub.
	 *
	 * @var string[]
	 */
	const WATCHED_OPTIONS = array( 'woocommerce_currency', 'woocommerce_weight_unit', 'woocommerce_dimension_unit' );

	/**
	 * Catalog lookups.
	 *
	 * @var WooCatalog
	 */
	private $catalog;

	/**
	 * Constructor.
	 *
	 * @param WooCatalog $catalog Catalog lookups.
	 */
	public function __construct( WooCatalog $catalog ) {
		$this->catalog = $catalog;
	}

	/**
	 * The "store" object of a store.update event.
	 *
	 * @return array
	 */
	public function payload() {
		$dimension_unit = $this->catalog->dimension_unit();
		return array(
			'currency'          => $this->catalog->currency(),
			'weight_unit'       => $this->catalog->weight_unit(),
			// Yards are converted to inches by the serializer, so the unit the hub sees is inches.
			'dimension_unit'    => 'yd' === $dimension_unit ? 'in' : $dimension_unit,
			'platform_version'  => $this->catalog->platform_version(),
			'extension_version' => defined( 'TTS_SYNC_VERSION' ) ? TTS_SYNC_VERSION : '',
			'base_url'          => $this->catalog->base_url(),
			// Commands added after v1 that this extension carries out (docs/extension-api.md, v1.2).
			'capabilities'      => array( 'order.refund' ),
		);
	}
}
