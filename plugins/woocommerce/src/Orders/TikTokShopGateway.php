<?php
/**
 * The payment method shown on TikTok Shop orders.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Orders;

defined( 'ABSPATH' ) || exit;

/**
 * Names the payment method of imported orders "TikTok Shop".
 *
 * WooCommerce's order screen prints "Payment via <registered gateway's title>", or the raw payment
 * method id when no gateway has that id, so without this the merchant read "Payment via tiktok_shop".
 * The buyer paid on TikTok: this method is never offered at checkout (is_available() is always false)
 * and has no settings.
 */
class TikTokShopGateway extends \WC_Payment_Gateway {

	const ID = 'tiktok_shop';

	/**
	 * Constructor.
	 */
	public function __construct() {
		$this->id                 = self::ID;
		$this->title              = __( 'TikTok Shop', 'tiktok-shop-sync' );
		$this->method_title       = __( 'TikTok Shop', 'tiktok-shop-sync' );
		$this->method_description = __( 'Shown on orders imported from TikTok Shop, which buyers paid on TikTok. It is never offered at your checkout.', 'tiktok-shop-sync' );
		$this->has_fields         = false;
		$this->enabled            = 'no';
		$this->supports           = array();
	}

	/**
	 * Never offered at checkout.
	 *
	 * @return bool
	 */
	public function is_available() {
		return false;
	}

	/**
	 * Adds the gateway to WooCommerce's list (woocommerce_payment_gateways).
	 *
	 * @param array $gateways Gateway class names or objects.
	 * @return array
	 */
	public static function register( $gateways ) {
		$gateways[] = self::class;
		return $gateways;
	}
}
