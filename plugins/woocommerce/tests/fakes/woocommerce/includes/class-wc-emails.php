<?php
/**
 * Transactional e-mails as WooCommerce 9.4 sends them: WC_Emails hooks the order status transitions,
 * re-fires each as "<transition>_notification", and each WC_Email's trigger() sends through wp_mail()
 * when is_enabled() (filter woocommerce_email_enabled_{id}) and it has a recipient.
 *
 * @package TikTokShopSync\Tests
 */

defined( 'ABSPATH' ) || exit;

/** Base e-mail. */
class WC_Email {
	public $id;
	public $title;
	public $enabled = 'yes';
	public $object;
	public $recipient      = '';
	public $customer_email = false;
	protected $default_subject = '';
	protected $default_heading = '';

	public function is_customer_email() {
		return $this->customer_email;
	}
	public function is_enabled() {
		return apply_filters( 'woocommerce_email_enabled_' . $this->id, 'yes' === $this->enabled, $this->object, $this );
	}
	public function get_recipient() {
		return apply_filters( 'woocommerce_email_recipient_' . $this->id, $this->recipient, $this->object, $this );
	}
	public function format_string( $string ) {
		return str_replace( array( '{site_title}', '{order_number}' ), array( wp_specialchars_decode( get_option( 'blogname' ), ENT_QUOTES ), $this->object ? $this->object->get_order_number() : '' ), $string );
	}
	public function get_subject() {
		return apply_filters( 'woocommerce_email_subject_' . $this->id, $this->format_string( $this->default_subject ), $this->object, $this );
	}
	public function get_heading() {
		return apply_filters( 'woocommerce_email_heading_' . $this->id, $this->format_string( $this->default_heading ), $this->object, $this );
	}
	public function trigger( $order_id, $order = false ) {
		if ( $order_id && ! is_a( $order, 'WC_Order' ) ) {
			$order = wc_get_order( $order_id );
		}
		$this->object = $order;
		if ( $this->customer_email && $order ) {
			$this->recipient = $order->get_billing_email();
		}
		if ( $this->is_enabled() && $this->get_recipient() ) {
			wp_mail( $this->get_recipient(), $this->get_subject(), $this->get_heading() . "\n" );
		}
	}
}
class WC_Email_New_Order extends WC_Email {
	public function __construct() {
		$this->id              = 'new_order';
		$this->recipient       = get_option( 'admin_email' );
		$this->default_subject = '[{site_title}]: New order #{order_number}';
		$this->default_heading = 'New Order: #{order_number}';
		foreach ( array( 'pending_to_processing', 'pending_to_completed', 'pending_to_on-hold', 'failed_to_processing', 'failed_to_completed', 'failed_to_on-hold', 'cancelled_to_processing', 'cancelled_to_completed', 'cancelled_to_on-hold' ) as $transition ) {
			add_action( 'woocommerce_order_status_' . $transition . '_notification', array( $this, 'trigger' ), 10, 2 );
		}
	}
}
class WC_Email_Customer_Processing_Order extends WC_Email {
	public function __construct() {
		$this->id              = 'customer_processing_order';
		$this->customer_email  = true;
		$this->default_subject = 'Your {site_title} order has been received!';
		$this->default_heading = 'Thank you for your order';
		foreach ( array( 'cancelled_to_processing', 'failed_to_processing', 'on-hold_to_processing', 'pending_to_processing' ) as $transition ) {
			add_action( 'woocommerce_order_status_' . $transition . '_notification', array( $this, 'trigger' ), 10, 2 );
		}
	}
}
class WC_Email_Customer_On_Hold_Order extends WC_Email {
	public function __construct() {
		$this->id              = 'customer_on_hold_order';
		$this->customer_email  = true;
		$this->default_subject = 'Your {site_title} order has been received!';
		$this->default_heading = 'Thank you for your order';
		foreach ( array( 'pending_to_on-hold', 'failed_to_on-hold', 'cancelled_to_on-hold' ) as $transition ) {
			add_action( 'woocommerce_order_status_' . $transition . '_notification', array( $this, 'trigger' ), 10, 2 );
		}
	}
}
class WC_Email_Customer_Completed_Order extends WC_Email {
	public function __construct() {
		$this->id              = 'customer_completed_order';
		$this->customer_email  = true;
		$this->default_subject = 'Your {site_title} order is now complete';
		$this->default_heading = 'Thanks for shopping with us';
		add_action( 'woocommerce_order_status_completed_notification', array( $this, 'trigger' ), 10, 2 );
	}
}

/** The mailer: created on first use; announces itself with the woocommerce_email action. */
class WC_Emails {
	public $emails = array();
	protected static $instance = null;

	public static function instance() {
		if ( null === self::$instance ) {
			self::$instance = new self();
		}
		return self::$instance;
	}
	public function __construct() {
		foreach ( array( 'WC_Email_New_Order', 'WC_Email_Customer_Processing_Order', 'WC_Email_Customer_On_Hold_Order', 'WC_Email_Customer_Completed_Order' ) as $class ) {
			$this->emails[ $class ] = new $class();
		}
		$this->emails = apply_filters( 'woocommerce_email_classes', $this->emails );
		do_action( 'woocommerce_email', $this );
	}
	public function get_emails() {
		return $this->emails;
	}
	/** WC_Emails::init_transactional_emails(), hooked on init. */
	public static function init_transactional_emails() {
		$email_actions = apply_filters(
			'woocommerce_email_actions',
			array(
				'woocommerce_order_status_pending_to_processing',
				'woocommerce_order_status_pending_to_completed',
				'woocommerce_order_status_pending_to_on-hold',
				'woocommerce_order_status_failed_to_processing',
				'woocommerce_order_status_failed_to_completed',
				'woocommerce_order_status_failed_to_on-hold',
				'woocommerce_order_status_cancelled_to_processing',
				'woocommerce_order_status_cancelled_to_completed',
				'woocommerce_order_status_cancelled_to_on-hold',
				'woocommerce_order_status_on-hold_to_processing',
				'woocommerce_order_status_completed',
			)
		);
		foreach ( $email_actions as $action ) {
			add_action( $action, array( __CLASS__, 'send_transactional_email' ), 10, 10 );
		}
	}
	public static function send_transactional_email( ...$args ) {
		self::instance();
		do_action_ref_array( current_filter() . '_notification', $args );
	}
}
