<?php
/**
 * Which WooCommerce e-mails a TikTok Shop order sends.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Orders;

defined( 'ABSPATH' ) || exit;

/**
 * No customer e-mail for a TikTok Shop order; the admin's new-order e-mail says where it came from.
 *
 * TikTok talks to its buyers itself and hands stores a masked or placeholder address, so "order
 * received", "order completed" and the like would go nowhere, or confuse a buyer who never visited
 * the shop. Every e-mail WooCommerce marks as a customer e-mail (is_customer_email()) is switched off
 * for these orders through its woocommerce_email_enabled_{id} filter; the store's own e-mails for
 * other orders are untouched.
 */
class TikTokOrderEmails {

	/**
	 * Customer e-mails of WooCommerce about an order, known before the mailer is built.
	 *
	 * @var string[]
	 */
	const CUSTOMER_EMAIL_IDS = array( 'customer_processing_order', 'customer_on_hold_order', 'customer_completed_order', 'customer_invoice', 'customer_note', 'customer_refunded_order', 'customer_cancelled_order', 'customer_failed_order', 'customer_pos_completed_order', 'customer_pos_refunded_order' );

	/**
	 * E-mail ids already filtered.
	 *
	 * @var array<string,true>
	 */
	private $filtered = array();

	/**
	 * Registers the filters.
	 *
	 * @return void
	 */
	public function register() {
		foreach ( self::CUSTOMER_EMAIL_IDS as $id ) {
			$this->filter( $id );
		}
		// Other customer e-mails (extensions') are found when WooCommerce builds its mailer.
		add_action( 'woocommerce_email', array( $this, 'on_mailer' ) );
		add_filter( 'woocommerce_email_subject_new_order', array( $this, 'admin_subject' ), 20, 2 );
		add_filter( 'woocommerce_email_heading_new_order', array( $this, 'admin_subject' ), 20, 2 );
	}

	/**
	 * Filters every customer e-mail of the mailer.
	 *
	 * @param object $mailer WC_Emails.
	 * @return void
	 */
	public function on_mailer( $mailer ) {
		if ( ! is_object( $mailer ) || ! is_callable( array( $mailer, 'get_emails' ) ) ) {
			return;
		}
		foreach ( (array) $mailer->get_emails() as $email ) {
			if ( is_object( $email ) && is_callable( array( $email, 'is_customer_email' ) ) && $email->is_customer_email() && ! empty( $email->id ) ) {
				$this->filter( (string) $email->id );
			}
		}
	}

	/**
	 * Switches one e-mail off for TikTok orders.
	 *
	 * @param string $id E-mail id.
	 * @return void
	 */
	private function filter( $id ) {
		if ( isset( $this->filtered[ $id ] ) ) {
			return;
		}
		$this->filtered[ $id ] = true;
		add_filter( 'woocommerce_email_enabled_' . $id, array( $this, 'enabled_for' ), 20, 2 );
	}

	/**
	 * Whether a customer e-mail may be sent about this object.
	 *
	 * @param bool  $enabled Whether it is enabled.
	 * @param mixed $object  The order (or another object).
	 * @return bool
	 */
	public function enabled_for( $enabled, $object = null ) {
		return self::is_tiktok_order( $object ) ? false : $enabled;
	}

	/**
	 * The admin's new-order subject and heading, with "TikTok Shop order <id>" added.
	 *
	 * @param string $text   Subject or heading.
	 * @param mixed  $object The order.
	 * @return string
	 */
	public function admin_subject( $text, $object = null ) {
		if ( ! self::is_tiktok_order( $object ) ) {
			return $text;
		}
		/* translators: 1: subject or heading, 2: TikTok order id. */
		return sprintf( __( '%1$s (TikTok Shop order %2$s)', 'tiktok-shop-sync' ), $text, (string) $object->get_meta( OrderLocator::META_KEY ) );
	}

	/**
	 * Whether an object is an order imported from TikTok Shop.
	 *
	 * @param mixed $object Object.
	 * @return bool
	 */
	public static function is_tiktok_order( $object ) {
		return is_object( $object ) && is_callable( array( $object, 'get_meta' ) ) && '' !== (string) $object->get_meta( OrderLocator::META_KEY );
	}
}
