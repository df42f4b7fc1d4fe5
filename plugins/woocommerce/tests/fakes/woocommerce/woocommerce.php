<?php
/**
 * Plugin Name: WooCommerce (test double)
 * Description: A small stand-in for WooCommerce used only by this plugin's integration tests. It keeps WooCommerce's class, function and hook names and fires the hooks in WooCommerce's order, storing products as posts and orders in HPOS-style tables.
 * Version: 9.4.0
 *
 * @package TikTokShopSync\Tests
 */

defined( 'ABSPATH' ) || exit;

define( 'WC_PLUGIN_FILE', __FILE__ );
define( 'WC_VERSION', '9.4.0' );

require_once __DIR__ . '/includes/FeaturesUtil.php';
require_once __DIR__ . '/includes/OrderUtil.php';
require_once __DIR__ . '/includes/class-wc-data.php';
require_once __DIR__ . '/includes/class-wc-product.php';
require_once __DIR__ . '/includes/class-wc-product-data-store-cpt.php';
require_once __DIR__ . '/includes/class-wc-order.php';
require_once __DIR__ . '/includes/wc-functions.php';
require_once __DIR__ . '/includes/action-scheduler.php';
require_once __DIR__ . '/includes/class-wc-admin-settings.php';
require_once __DIR__ . '/includes/class-wc-emails.php';
require_once __DIR__ . '/includes/class-wc-payment-gateways.php';

/**
 * Main class, with WooCommerce's load sequence: woocommerce_loaded on plugins_loaded (-1),
 * before_woocommerce_init then woocommerce_init on init (0).
 */
final class WooCommerce {
	/** @var string */
	public $version = WC_VERSION;
	/** @var WC_Countries */
	public $countries;
	/** @var WC_Payment_Gateways|null */
	public $payment_gateways = null;
	/** @var WooCommerce|null */
	protected static $instance = null;

	public static function instance() {
		if ( null === self::$instance ) {
			self::$instance = new self();
		}
		return self::$instance;
	}

	public function __construct() {
		add_action( 'plugins_loaded', array( $this, 'on_plugins_loaded' ), -1 );
		add_action( 'init', array( $this, 'init' ), 0 );
		add_action( 'init', array( 'WC_Post_Types', 'register_taxonomies' ), 5 );
		add_action( 'init', array( 'WC_Post_Types', 'register_post_types' ), 5 );
		add_action( 'init', array( 'WC_Emails', 'init_transactional_emails' ) );
	}

	public function payment_gateways() {
		$this->payment_gateways = WC_Payment_Gateways::instance();
		return $this->payment_gateways;
	}

	public function mailer() {
		return WC_Emails::instance();
	}

	public function on_plugins_loaded() {
		do_action( 'woocommerce_loaded' );
	}

	public function init() {
		do_action( 'before_woocommerce_init' );
		$this->countries = new WC_Countries();
		WC_Orders_Table::maybe_create();
		do_action( 'woocommerce_init' );
	}
}

function WC() { // phpcs:ignore
	return WooCommerce::instance();
}

$GLOBALS['woocommerce'] = WC();
