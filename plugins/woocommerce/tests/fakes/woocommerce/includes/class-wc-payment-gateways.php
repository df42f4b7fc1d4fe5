<?php
/**
 * Payment gateways: WC_Payment_Gateway, the WC_Payment_Gateways registry (woocommerce_payment_gateways
 * filter) and the order screen's "Payment via" line, as WC_Meta_Box_Order_Data builds it: the
 * registered gateway's title, or else the stored payment method id itself.
 *
 * @package TikTokShopSync\Tests
 */

defined( 'ABSPATH' ) || exit;

/** Base gateway. */
abstract class WC_Payment_Gateway {
	public $id;
	public $title;
	public $method_title;
	public $method_description;
	public $enabled  = 'yes';
	public $has_fields = false;
	public $supports = array( 'products' );

	public function get_title() {
		return apply_filters( 'woocommerce_gateway_title', $this->title, $this->id );
	}
	public function is_available() {
		return 'yes' === $this->enabled;
	}
}
class WC_Gateway_BACS extends WC_Payment_Gateway {
	public function __construct() {
		$this->id    = 'bacs';
		$this->title = 'Direct bank transfer';
	}
}
/** Registry. */
class WC_Payment_Gateways {
	public $payment_gateways = array();
	protected static $instance = null;

	public static function instance() {
		if ( null === self::$instance ) {
			self::$instance = new self();
		}
		return self::$instance;
	}
	public function __construct() {
		foreach ( apply_filters( 'woocommerce_payment_gateways', array( 'WC_Gateway_BACS' ) ) as $gateway ) {
			if ( is_string( $gateway ) && class_exists( $gateway ) ) {
				$gateway = new $gateway();
			}
			if ( is_a( $gateway, 'WC_Payment_Gateway' ) ) {
				$this->payment_gateways[ $gateway->id ] = $gateway;
			}
		}
	}
	public function payment_gateways() {
		return $this->payment_gateways;
	}
	public function get_available_payment_gateways() {
		return array_filter(
			$this->payment_gateways,
			static function ( $gateway ) {
				return $gateway->is_available();
			}
		);
	}
}
/** The order edit screen's data box: the heading line under the order number. */
class WC_Meta_Box_Order_Data {
	public static function output( $order ) {
		$payment_method   = $order->get_payment_method();
		$payment_gateways = WC()->payment_gateways() ? WC()->payment_gateways->payment_gateways() : array();
		$meta_list        = array();
		if ( $payment_method && 'other' !== $payment_method ) {
			$meta_list[] = sprintf( 'Payment via %s', esc_html( isset( $payment_gateways[ $payment_method ] ) ? $payment_gateways[ $payment_method ]->get_title() : $payment_method ) );
		}
		$created = $order->get_date_created();
		if ( $created ) {
			$meta_list[] = sprintf( 'Placed on %s', $created->date( 'Y-m-d H:i' ) );
		}
		if ( $order->get_customer_ip_address() ) {
			$meta_list[] = sprintf( 'Customer IP: %s', esc_html( $order->get_customer_ip_address() ) );
		}
		echo '<p class="woocommerce-order-data__meta order_number">' . wp_kses_post( implode( '. ', $meta_list ) ) . '</p>';
	}
}
