<?php
/**
 * Admin notice shown when WooCommerce is not active.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Admin;

defined( 'ABSPATH' ) || exit;

/**
 * Tells the administrator, in plain words, that the plugin does nothing until WooCommerce is active.
 */
class MissingWooCommerceNotice {

	/**
	 * Registers the notice.
	 *
	 * @return void
	 */
	public function register() {
		add_action( 'admin_notices', array( $this, 'render' ) );
	}

	/**
	 * Prints the notice for users who can activate plugins.
	 *
	 * @return void
	 */
	public function render() {
		if ( ! current_user_can( 'activate_plugins' ) ) {
			return;
		}
		printf(
			'<div class="notice notice-error"><p><strong>%1$s</strong> %2$s</p></div>',
			esc_html__( 'TikTok Shop Sync needs WooCommerce.', 'tiktok-shop-sync' ),
			esc_html__( 'Install and activate WooCommerce 8.2 or later; until then no products or orders are synchronised.', 'tiktok-shop-sync' )
		);
	}
}
