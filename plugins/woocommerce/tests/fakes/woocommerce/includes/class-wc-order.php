<?php
/**
 * Orders in HPOS-style tables ({prefix}wc_orders, {prefix}wc_orders_meta), reachable only through
 * the order CRUD API, with WooCommerce's status-transition hooks and stock reduction.
 *
 * @package TikTokShopSync\Tests
 */

defined( 'ABSPATH' ) || exit;

/** Table access for orders. */
class WC_Orders_Table {
	public static function maybe_create() {
		global $wpdb;
		$wpdb->query( "CREATE TABLE IF NOT EXISTS {$wpdb->prefix}wc_orders (id bigint(20) unsigned NOT NULL AUTO_INCREMENT, status varchar(20) NOT NULL, currency varchar(10), total_amount decimal(26,8), data longtext, date_created_gmt datetime, PRIMARY KEY (id))" ); // phpcs:ignore
		$wpdb->query( "CREATE TABLE IF NOT EXISTS {$wpdb->prefix}wc_orders_meta (id bigint(20) unsigned NOT NULL AUTO_INCREMENT, order_id bigint(20) unsigned, meta_key varchar(255), meta_value text, PRIMARY KEY (id))" ); // phpcs:ignore
	}
}

/** Order item base. */
class WC_Order_Item {
	protected $data = array( 'name' => '', 'quantity' => 1, 'subtotal' => 0, 'total' => 0 );
	public function get_type() { return 'line_item'; }
	public function get_id() { return isset( $this->data['id'] ) ? (int) $this->data['id'] : 0; }
	public function set_id( $v ) { $this->data['id'] = (int) $v; }
	public function get_name() { return $this->data['name']; }
	public function set_name( $v ) { $this->data['name'] = $v; }
	public function get_quantity() { return $this->data['quantity']; }
	public function set_quantity( $v ) { $this->data['quantity'] = (int) $v; }
	public function get_total() { return $this->data['total']; }
	public function set_total( $v ) { $this->data['total'] = wc_format_decimal( $v ); }
	public function get_subtotal() { return $this->data['subtotal']; }
	public function set_subtotal( $v ) { $this->data['subtotal'] = wc_format_decimal( $v ); }
	public function get_data() { return array_merge( array( 'type' => $this->get_type() ), $this->data ); }
	public function set_data( array $data ) { $this->data = array_merge( $this->data, array_diff_key( $data, array( 'type' => 1 ) ) ); }
}
/** Product line. */
class WC_Order_Item_Product extends WC_Order_Item {
	public function __construct() {
		$this->data += array( 'product_id' => 0, 'variation_id' => 0, 'reduced_stock' => 0 );
	}
	public function get_type() { return 'line_item'; }
	public function set_product( $product ) {
		$this->data['product_id']   = $product->is_type( 'variation' ) ? $product->get_parent_id() : $product->get_id();
		$this->data['variation_id'] = $product->is_type( 'variation' ) ? $product->get_id() : 0;
		$this->data['name']         = $product->get_name();
	}
	public function get_product_id() { return $this->data['product_id']; }
	public function get_variation_id() { return $this->data['variation_id']; }
	public function get_product() { return wc_get_product( $this->data['variation_id'] ? $this->data['variation_id'] : $this->data['product_id'] ); }
}
/** Shipping line. */
class WC_Order_Item_Shipping extends WC_Order_Item {
	public function __construct() {
		$this->data += array( 'method_title' => '', 'method_id' => '' );
	}
	public function get_type() { return 'shipping'; }
	public function set_method_title( $v ) { $this->data['method_title'] = $v; $this->data['name'] = $v; }
	public function get_method_title() { return $this->data['method_title']; }
	public function set_method_id( $v ) { $this->data['method_id'] = $v; }
	public function get_method_id() { return $this->data['method_id']; }
}

/** WC_Order. */
class WC_Order extends WC_Data {
	protected $object_type = 'order';
	protected $data        = array(
		'status'               => 'pending',
		'currency'             => '',
		'prices_include_tax'   => false,
		'created_via'          => '',
		'customer_note'        => '',
		'payment_method'       => '',
		'payment_method_title' => '',
		'discount_total'       => 0,
		'shipping_total'       => 0,
		'cart_tax'             => 0,
		'total'                => 0,
		'billing'              => array(),
		'shipping'             => array(),
		'date_created'         => null,
		'date_completed'       => null,
		'customer_ip_address'  => '',
		'customer_user_agent'  => '',
	);
	protected $items          = array();
	protected $status_transition = false;

	public function __construct( $order = 0 ) {
		$this->data_store = new WC_Order_Data_Store();
		if ( is_numeric( $order ) && $order > 0 ) {
			$this->set_id( $order );
			$this->data_store->read( $this );
		}
		$this->set_object_read( true );
	}
	public function get_type() { return 'shop_order'; }
	public function get_order_number() { return (string) apply_filters( 'woocommerce_order_number', $this->get_id(), $this ); }
	public function get_status( $context = 'view' ) { return $this->get_prop( 'status', $context ); }
	public function get_currency( $context = 'view' ) { return $this->get_prop( 'currency', $context ); }
	public function get_created_via( $context = 'view' ) { return $this->get_prop( 'created_via', $context ); }
	public function get_customer_note( $context = 'view' ) { return $this->get_prop( 'customer_note', $context ); }
	public function get_payment_method( $context = 'view' ) { return $this->get_prop( 'payment_method', $context ); }
	public function get_payment_method_title( $context = 'view' ) { return $this->get_prop( 'payment_method_title', $context ); }
	public function get_total( $context = 'view' ) { return $this->get_prop( 'total', $context ); }
	public function get_shipping_total( $context = 'view' ) { return $this->get_prop( 'shipping_total', $context ); }
	public function get_discount_total( $context = 'view' ) { return $this->get_prop( 'discount_total', $context ); }
	public function get_date_completed( $context = 'view' ) { return $this->get_prop( 'date_completed', $context ); }
	public function get_date_created( $context = 'view' ) { return $this->get_prop( 'date_created', $context ); }
	public function get_customer_ip_address( $context = 'view' ) { return $this->get_prop( 'customer_ip_address', $context ); }
	public function get_customer_user_agent( $context = 'view' ) { return $this->get_prop( 'customer_user_agent', $context ); }
	public function get_billing_email( $context = 'view' ) { $billing = $this->get_prop( 'billing', $context ); return isset( $billing['email'] ) ? $billing['email'] : ''; }
	public function set_customer_ip_address( $v ) { $this->set_prop( 'customer_ip_address', $v ); }
	public function set_customer_user_agent( $v ) { $this->set_prop( 'customer_user_agent', $v ); }
	/** WC_Data::set_date_prop(): a timestamp, a date string or a WC_DateTime. */
	public function set_date_created( $v ) {
		if ( null === $v || '' === $v ) {
			$this->set_prop( 'date_created', null );
			return;
		}
		$this->set_prop( 'date_created', $v instanceof WC_DateTime ? $v : new WC_DateTime( is_numeric( $v ) ? '@' . $v : $v ) );
	}
	public function get_address( $type = 'billing' ) { return $this->get_prop( $type ); }
	public function set_currency( $v ) { $this->set_prop( 'currency', $v ); }
	public function set_prices_include_tax( $v ) { $this->set_prop( 'prices_include_tax', (bool) $v ); }
	public function set_created_via( $v ) { $this->set_prop( 'created_via', $v ); }
	public function set_customer_note( $v ) { $this->set_prop( 'customer_note', $v ); }
	public function set_payment_method( $v ) { $this->set_prop( 'payment_method', $v ); }
	public function set_payment_method_title( $v ) { $this->set_prop( 'payment_method_title', $v ); }
	public function set_total( $v ) { $this->set_prop( 'total', wc_format_decimal( $v ) ); }
	public function set_shipping_total( $v ) { $this->set_prop( 'shipping_total', wc_format_decimal( $v ) ); }
	public function set_discount_total( $v ) { $this->set_prop( 'discount_total', wc_format_decimal( $v ) ); }
	public function set_cart_tax( $v ) { $this->set_prop( 'cart_tax', wc_format_decimal( $v ) ); }
	public function set_date_completed( $v ) { $this->set_prop( 'date_completed', $v ); }
	public function set_address( $address, $type = 'billing' ) {
		$this->set_prop( $type, array_merge( (array) $this->get_prop( $type, 'edit' ), (array) $address ) );
	}
	public function set_status( $new_status, $note = '', $manual_update = false ) {
		$new_status = 'wc-' === substr( $new_status, 0, 3 ) ? substr( $new_status, 3 ) : $new_status;
		$old_status = $this->get_status( 'edit' );
		$this->set_prop( 'status', $new_status );
		if ( $this->object_read && $old_status !== $new_status ) {
			$this->status_transition = array( 'from' => $old_status, 'to' => $new_status, 'note' => $note, 'manual' => (bool) $manual_update );
		}
		return array( 'from' => $old_status, 'to' => $new_status );
	}
	public function update_status( $new_status, $note = '', $manual = false ) {
		$this->set_status( $new_status, $note, $manual );
		$this->save();
		return true;
	}
	public function has_status( $status ) {
		return is_array( $status ) ? in_array( $this->get_status(), $status, true ) : $status === $this->get_status();
	}
	public function add_product( $product, $qty = 1, $args = array() ) {
		$item = new WC_Order_Item_Product();
		$item->set_product( $product );
		$item->set_quantity( $qty );
		$item->set_subtotal( isset( $args['subtotal'] ) ? $args['subtotal'] : (float) $product->get_price() * $qty );
		$item->set_total( isset( $args['total'] ) ? $args['total'] : (float) $product->get_price() * $qty );
		$this->add_item( $item );
		return count( $this->items );
	}
	public function add_item( $item ) {
		if ( ! $item->get_id() ) { // WooCommerce gives each order item its own id.
			$item->set_id( 1 + array_reduce( $this->items, static function ( $max, $i ) { return max( $max, $i->get_id() ); }, 0 ) );
		}
		$this->items[] = $item;
	}
	/** Refunds of this order, newest first, as WC_Order::get_refunds(). */
	public function get_refunds() {
		global $wpdb;
		$ids = $wpdb->get_col( $wpdb->prepare( "SELECT order_id FROM {$wpdb->prefix}wc_orders_meta WHERE meta_key = '_refund_parent_id' AND meta_value = %s ORDER BY order_id DESC", (string) $this->get_id() ) ); // phpcs:ignore
		return array_values( array_filter( array_map( 'wc_get_order', array_map( 'intval', $ids ) ) ) );
	}
	public function get_total_refunded() {
		return array_sum( array_map( static function ( $r ) { return (float) $r->get_amount(); }, $this->get_refunds() ) );
	}
	public function get_items( $types = 'line_item' ) {
		$types = (array) $types;
		return array_values( array_filter( $this->items, static function ( $item ) use ( $types ) { return in_array( $item->get_type(), $types, true ); } ) );
	}
	public function set_items_from_store( array $items ) { $this->items = $items; }
	public function get_all_items() { return $this->items; }
	public function add_order_note( $note, $is_customer_note = 0, $added_by_user = false ) {
		if ( ! $this->get_id() ) {
			return 0;
		}
		return wp_insert_comment( array( 'comment_post_ID' => $this->get_id(), 'comment_author' => 'WooCommerce', 'comment_content' => $note, 'comment_agent' => 'WooCommerce', 'comment_type' => 'order_note', 'comment_approved' => 1 ) );
	}
	public function get_customer_order_notes() {
		return get_comments( array( 'post_id' => $this->get_id(), 'type' => 'order_note' ) );
	}
	public function save() {
		$is_new = ! $this->get_id();
		if ( $this->status_transition && 'completed' === $this->status_transition['to'] && ! $this->get_date_completed( 'edit' ) ) {
			$this->set_date_completed( new WC_DateTime() );
		}
		parent::save();
		$this->status_transition();
		return $this->get_id();
	}
	protected function status_transition() {
		$transition = $this->status_transition;
		$this->status_transition = false;
		if ( ! $transition ) {
			return;
		}
		if ( $transition['note'] ) {
			$this->add_order_note( trim( $transition['note'] . ' Order status changed from ' . $transition['from'] . ' to ' . $transition['to'] . '.' ) );
		}
		do_action( 'woocommerce_order_status_' . $transition['to'], $this->get_id(), $this, $transition );
		if ( $transition['from'] ) {
			do_action( 'woocommerce_order_status_' . $transition['from'] . '_to_' . $transition['to'], $this->get_id(), $this );
			do_action( 'woocommerce_order_status_changed', $this->get_id(), $transition['from'], $transition['to'], $this );
		}
	}
}

/** Order storage. */
class WC_Order_Data_Store {
	public function create( &$order ) {
		global $wpdb;
		$order->set_object_read( false );
		$wpdb->insert( $wpdb->prefix . 'wc_orders', array( 'status' => 'wc-' . $order->get_status( 'edit' ), 'currency' => $order->get_currency( 'edit' ), 'total_amount' => $order->get_total( 'edit' ), 'data' => '', 'date_created_gmt' => gmdate( 'Y-m-d H:i:s' ) ) );
		$order->set_id( $wpdb->insert_id );
		$order->set_object_read( true );
		$this->write( $order );
		$order->save_meta_data();
		$order->apply_changes();
		do_action( 'woocommerce_new_order', $order->get_id(), $order );
	}
	public function update( &$order ) {
		$this->write( $order );
		$order->save_meta_data();
		$order->apply_changes();
		do_action( 'woocommerce_update_order', $order->get_id(), $order );
	}
	private function write( $order ) {
		global $wpdb;
		$props = array();
		foreach ( array( 'status', 'currency', 'prices_include_tax', 'created_via', 'customer_note', 'payment_method', 'payment_method_title', 'discount_total', 'shipping_total', 'cart_tax', 'total', 'billing', 'shipping' ) as $prop ) {
			$props[ $prop ] = ( new ReflectionMethod( $order, 'get_prop' ) )->invoke( $order, $prop, 'edit' );
		}
		foreach ( array( 'customer_ip_address', 'customer_user_agent' ) as $prop ) {
			$props[ $prop ] = ( new ReflectionMethod( $order, 'get_prop' ) )->invoke( $order, $prop, 'edit' );
		}
		foreach ( array( 'date_completed', 'date_created' ) as $prop ) {
			$date           = ( new ReflectionMethod( $order, 'get_prop' ) )->invoke( $order, $prop, 'edit' );
			$props[ $prop ] = $date ? $date->getTimestamp() : null;
		}
		$items = array_map( static function ( $item ) { return $item->get_data(); }, $order->get_all_items() );
		$wpdb->update( $wpdb->prefix . 'wc_orders', array( 'status' => 'wc-' . $props['status'], 'currency' => $props['currency'], 'total_amount' => $props['total'], 'data' => wp_json_encode( array( 'props' => $props, 'items' => $items ) ) ), array( 'id' => $order->get_id() ) );
	}
	public function read( &$order ) {
		global $wpdb;
		$row = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$wpdb->prefix}wc_orders WHERE id = %d", $order->get_id() ), ARRAY_A ); // phpcs:ignore
		if ( ! $row ) {
			throw new Exception( 'Invalid order.' );
		}
		$data  = json_decode( (string) $row['data'], true );
		$props = isset( $data['props'] ) ? $data['props'] : array();
		foreach ( $props as $prop => $value ) {
			if ( 'date_completed' === $prop || 'date_created' === $prop ) {
				$value = $value ? new WC_DateTime( '@' . $value ) : null;
			}
			( new ReflectionMethod( $order, 'set_prop' ) )->invoke( $order, $prop, $value );
		}
		$items = array();
		foreach ( isset( $data['items'] ) ? $data['items'] : array() as $item_data ) {
			$item = 'shipping' === $item_data['type'] ? new WC_Order_Item_Shipping() : new WC_Order_Item_Product();
			$item->set_data( $item_data );
			$items[] = $item;
		}
		$order->set_items_from_store( $items );
		$meta = array();
		foreach ( (array) $wpdb->get_results( $wpdb->prepare( "SELECT meta_key, meta_value FROM {$wpdb->prefix}wc_orders_meta WHERE order_id = %d ORDER BY id", $order->get_id() ), ARRAY_A ) as $m ) { // phpcs:ignore
			$meta[ $m['meta_key'] ][] = $m['meta_value'];
		}
		$order->read_meta_data_from( $meta );
	}
	public function write_meta( $order, $key, array $values ) {
		global $wpdb;
		$wpdb->delete( $wpdb->prefix . 'wc_orders_meta', array( 'order_id' => $order->get_id(), 'meta_key' => $key ) ); // phpcs:ignore
		foreach ( $values as $value ) {
			$wpdb->insert( $wpdb->prefix . 'wc_orders_meta', array( 'order_id' => $order->get_id(), 'meta_key' => $key, 'meta_value' => maybe_serialize( $value ) ) ); // phpcs:ignore
		}
	}
	public function delete( &$order, $args = array() ) {
		global $wpdb;
		$id = $order->get_id();
		$wpdb->delete( $wpdb->prefix . 'wc_orders', array( 'id' => $id ) );
		$wpdb->delete( $wpdb->prefix . 'wc_orders_meta', array( 'order_id' => $id ) );
		do_action( 'woocommerce_delete_order', $id );
	}
}

/** wc_create_order(): like WooCommerce, stamps the order with the current request's IP address and user agent. */
function wc_create_order( $args = array() ) {
	$order = new WC_Order();
	$order->set_status( isset( $args['status'] ) ? $args['status'] : 'pending' );
	$order->set_created_via( isset( $args['created_via'] ) ? $args['created_via'] : '' );
	$order->set_currency( get_woocommerce_currency() );
	$order->set_customer_ip_address( isset( $_SERVER['REMOTE_ADDR'] ) ? sanitize_text_field( wp_unslash( $_SERVER['REMOTE_ADDR'] ) ) : '' ); // phpcs:ignore
	$order->set_customer_user_agent( isset( $_SERVER['HTTP_USER_AGENT'] ) ? wc_clean( wp_unslash( $_SERVER['HTTP_USER_AGENT'] ) ) : '' ); // phpcs:ignore
	$order->set_date_created( time() );
	$order->save();
	return $order;
}
/** A refund: an order row of its own (status "refund" here, type shop_order_refund in WooCommerce) with negative lines. */
class WC_Order_Refund extends WC_Order {
	public function get_type() { return 'shop_order_refund'; }
	public function get_amount() { return (string) $this->get_meta( '_refund_amount' ); }
	public function get_reason() { return (string) $this->get_meta( '_refund_reason' ); }
	public function get_parent_id() { return (int) $this->get_meta( '_refund_parent_id' ); }
}

/**
 * wc_create_refund(): checks the amount against what is left to refund and each line's quantity, makes the
 * refund with negative line copies, optionally restocks, fires woocommerce_order_refunded and marks a fully
 * refunded order "refunded", as WooCommerce does. No payment gateway is involved here.
 */
function wc_create_refund( $args = array() ) {
	$order = wc_get_order( isset( $args['order_id'] ) ? $args['order_id'] : 0 );
	if ( ! $order ) {
		return new WP_Error( 'invalid_order', 'Invalid order ID.' );
	}
	$amount = (float) wc_format_decimal( isset( $args['amount'] ) ? $args['amount'] : 0 );
	$left   = (float) $order->get_total() - $order->get_total_refunded();
	if ( $amount < 0 || $amount > $left + 0.00001 ) {
		return new WP_Error( 'woocommerce_invalid_refund_amount', 'Invalid refund amount.' );
	}
	$refund = new WC_Order_Refund();
	$refund->set_currency( $order->get_currency() );
	$refund->set_status( 'refund' );
	$refund->set_total( -1 * $amount );
	$by_id = array();
	foreach ( $order->get_items() as $item ) {
		$by_id[ $item->get_id() ] = $item;
	}
	$restock = array();
	foreach ( isset( $args['line_items'] ) ? (array) $args['line_items'] : array() as $item_id => $line ) {
		if ( ! isset( $by_id[ $item_id ] ) ) {
			return new WP_Error( 'woocommerce_invalid_refund_item', 'Invalid order item.' );
		}
		$qty = isset( $line['qty'] ) ? (int) $line['qty'] : 0;
		if ( $qty > $by_id[ $item_id ]->get_quantity() ) {
			return new WP_Error( 'woocommerce_invalid_refund_quantity', 'Invalid refund quantity.' );
		}
		$copy = new WC_Order_Item_Product();
		$copy->set_data( array_diff_key( $by_id[ $item_id ]->get_data(), array( 'id' => 1 ) ) );
		$copy->set_quantity( -1 * $qty );
		$copy->set_total( -1 * (float) ( isset( $line['refund_total'] ) ? $line['refund_total'] : 0 ) );
		$copy->set_subtotal( -1 * (float) ( isset( $line['refund_total'] ) ? $line['refund_total'] : 0 ) );
		$refund->add_item( $copy );
		if ( $qty > 0 ) {
			$restock[] = array( $by_id[ $item_id ], $qty );
		}
	}
	$refund->update_meta_data( '_refund_amount', wc_format_decimal( $amount ) );
	$refund->update_meta_data( '_refund_reason', isset( $args['reason'] ) ? (string) $args['reason'] : '' );
	$refund->update_meta_data( '_refund_parent_id', (string) $order->get_id() );
	$refund->save();
	if ( ! empty( $args['restock_items'] ) ) {
		foreach ( $restock as list( $item, $qty ) ) {
			$product = $item->get_product();
			if ( $product && $product->managing_stock() ) {
				wc_update_product_stock( $product, $qty, 'increase' );
			}
		}
	}
	do_action( 'woocommerce_order_refunded', $order->get_id(), $refund->get_id() );
	if ( abs( (float) $order->get_total() - $order->get_total_refunded() ) < 0.00001 ) {
		$order->update_status( 'refunded' );
	}
	return $refund;
}

function wc_get_order( $the_order = false ) {
	$id = is_object( $the_order ) ? $the_order->get_id() : absint( $the_order );
	if ( ! $id ) {
		return false;
	}
	try {
		global $wpdb;
		if ( 'wc-refund' === $wpdb->get_var( $wpdb->prepare( "SELECT status FROM {$wpdb->prefix}wc_orders WHERE id = %d", $id ) ) ) { // phpcs:ignore
			return new WC_Order_Refund( $id );
		}
		return new WC_Order( $id );
	} catch ( Exception $e ) {
		return false;
	}
}
/**
 * wc_get_orders(). With HPOS a meta_query filters. With posts storage (HPOS off) WooCommerce 9.4 ignores
 * a meta_query, says so with _doing_it_wrong(), and returns orders unfiltered; meta_key/meta_value
 * pass through to WP_Query and do filter.
 */
function wc_get_orders( $args ) {
	global $wpdb;
	$sql    = "SELECT o.id FROM {$wpdb->prefix}wc_orders o";
	$where  = array( '1=1' );
	$params = array();
	$hpos   = \Automattic\WooCommerce\Utilities\OrderUtil::custom_orders_table_usage_is_enabled();
	if ( ! $hpos && ! empty( $args['meta_query'] ) ) {
		wc_doing_it_wrong( 'WC_Order_Data_Store_CPT::query', 'Order query argument (meta_query) is not supported on the current order datastore.', '9.2.0' );
		unset( $args['meta_query'] );
	}
	if ( ! $hpos && ! empty( $args['meta_key'] ) ) {
		$args['meta_query'] = array( array( 'key' => $args['meta_key'], 'value' => isset( $args['meta_value'] ) ? $args['meta_value'] : '' ) ); // phpcs:ignore
	}
	if ( ! empty( $args['meta_query'] ) ) {
		foreach ( $args['meta_query'] as $i => $clause ) {
			$sql     .= " INNER JOIN {$wpdb->prefix}wc_orders_meta m{$i} ON m{$i}.order_id = o.id";
			$where[]  = "m{$i}.meta_key = %s AND m{$i}.meta_value = %s";
			$params[] = $clause['key'];
			$params[] = (string) $clause['value'];
		}
	}
	if ( ! empty( $args['status'] ) && 'any' !== $args['status'] ) {
		$statuses = array_map( static function ( $s ) { return 'wc-' === substr( $s, 0, 3 ) ? $s : 'wc-' . $s; }, (array) $args['status'] );
		$where[]  = 'o.status IN (' . implode( ',', array_fill( 0, count( $statuses ), '%s' ) ) . ')';
		$params   = array_merge( $params, $statuses );
	}
	$sql .= ' WHERE ' . implode( ' AND ', $where ) . ' ORDER BY o.id ASC';
	if ( ! empty( $args['limit'] ) && $args['limit'] > 0 ) {
		$sql .= ' LIMIT ' . (int) $args['limit'];
	}
	$ids = array_map( 'intval', $wpdb->get_col( $params ? $wpdb->prepare( $sql, $params ) : $sql ) ); // phpcs:ignore
	return ( isset( $args['return'] ) && 'ids' === $args['return'] ) ? $ids : array_filter( array_map( 'wc_get_order', $ids ) );
}

/** Stock reduction on processing/completed/on-hold, as wc_maybe_reduce_stock_levels does. */
function wc_maybe_reduce_stock_levels( $order_id ) {
	$order = wc_get_order( $order_id );
	if ( ! $order || $order->get_meta( '_order_stock_reduced' ) ) {
		return;
	}
	foreach ( $order->get_items() as $item ) {
		$product = $item->get_product();
		if ( $product && $product->managing_stock() ) {
			wc_update_product_stock( $product, $item->get_quantity(), 'decrease' );
		}
	}
	$order->update_meta_data( '_order_stock_reduced', 'yes' );
	$order->save_meta_data();
	do_action( 'woocommerce_reduce_order_stock', $order );
}
function wc_maybe_increase_stock_levels( $order_id ) {
	$order = wc_get_order( $order_id );
	if ( ! $order || ! $order->get_meta( '_order_stock_reduced' ) ) {
		return;
	}
	foreach ( $order->get_items() as $item ) {
		$product = $item->get_product();
		if ( $product && $product->managing_stock() ) {
			wc_update_product_stock( $product, $item->get_quantity(), 'increase' );
		}
	}
	$order->delete_meta_data( '_order_stock_reduced' );
	$order->save_meta_data();
	do_action( 'woocommerce_restore_order_stock', $order );
}
add_action( 'woocommerce_order_status_processing', 'wc_maybe_reduce_stock_levels' );
add_action( 'woocommerce_order_status_completed', 'wc_maybe_reduce_stock_levels' );
add_action( 'woocommerce_order_status_on-hold', 'wc_maybe_reduce_stock_levels' );
add_action( 'woocommerce_order_status_cancelled', 'wc_maybe_increase_stock_levels' );
add_action( 'woocommerce_order_status_pending', 'wc_maybe_increase_stock_levels' );
