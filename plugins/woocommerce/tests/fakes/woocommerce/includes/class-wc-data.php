<?php
/**
 * WC_Data: props with change tracking and meta data, as in WooCommerce.
 *
 * @package TikTokShopSync\Tests
 */

defined( 'ABSPATH' ) || exit;

/** Meta entry. */
class WC_Meta_Data {
	public $id;
	public $key;
	public $value;
	public function __construct( $meta = array() ) {
		$this->id    = isset( $meta['id'] ) ? $meta['id'] : null;
		$this->key   = $meta['key'];
		$this->value = $meta['value'];
	}
	public function get_data() {
		return array( 'id' => $this->id, 'key' => $this->key, 'value' => $this->value );
	}
}

/** Base of products and orders. */
abstract class WC_Data {
	protected $id = 0;
	protected $data = array();
	protected $changes = array();
	protected $object_read = false;
	protected $object_type = 'data';
	protected $meta_data = array();
	protected $meta_changed = array();
	protected $data_store;

	public function get_id() {
		return $this->id;
	}
	public function set_id( $id ) {
		$this->id = absint( $id );
	}
	public function get_data_store() {
		return $this->data_store;
	}
	public function set_object_read( $read = true ) {
		$this->object_read = (bool) $read;
	}
	public function get_object_read() {
		return $this->object_read;
	}
	protected function set_prop( $prop, $value ) {
		if ( ! array_key_exists( $prop, $this->data ) ) {
			return;
		}
		if ( $this->object_read ) {
			if ( $value !== $this->data[ $prop ] || array_key_exists( $prop, $this->changes ) ) {
				$this->changes[ $prop ] = $value;
			}
		} else {
			$this->data[ $prop ] = $value;
		}
	}
	protected function get_prop( $prop, $context = 'view' ) {
		$value = null;
		if ( array_key_exists( $prop, $this->data ) ) {
			$value = array_key_exists( $prop, $this->changes ) ? $this->changes[ $prop ] : $this->data[ $prop ];
			if ( 'view' === $context ) {
				$value = apply_filters( 'woocommerce_' . $this->object_type . '_get_' . $prop, $value, $this );
			}
		}
		return $value;
	}
	public function set_props( $props ) {
		foreach ( $props as $prop => $value ) {
			$setter = "set_$prop";
			if ( is_callable( array( $this, $setter ) ) ) {
				$this->{$setter}( $value );
			}
		}
		return true;
	}
	public function get_changes() {
		return $this->changes;
	}
	public function apply_changes() {
		$this->data    = array_replace( $this->data, $this->changes );
		$this->changes = array();
	}
	/** As WC_Data::is_internal_meta_key(): a prop's own meta key read through get_meta() is a notice. */
	protected function is_internal_meta_key( $key ) {
		$internal = $this->data_store && is_callable( array( $this->data_store, 'get_internal_meta_keys' ) ) ? $this->data_store->get_internal_meta_keys() : array();
		if ( in_array( $key, $internal, true ) ) {
			wc_doing_it_wrong( __FUNCTION__, sprintf( 'Generic add/update/get meta methods should not be used for internal meta data, including "%s". Use getters and setters.', $key ), '3.2.0' );
			return true;
		}
		return false;
	}
	public function get_meta( $key = '', $single = true, $context = 'view' ) {
		if ( $this->is_internal_meta_key( $key ) ) {
			$getter = 'get_' . ltrim( $key, '_' );
			if ( is_callable( array( $this, $getter ) ) ) {
				return $this->{$getter}( $context );
			}
		}
		$values = array();
		foreach ( $this->meta_data as $meta ) {
			if ( $meta->key === $key ) {
				$values[] = $meta->value;
			}
		}
		if ( $single ) {
			return $values ? $values[0] : '';
		}
		return $values;
	}
	public function meta_exists( $key = '' ) {
		foreach ( $this->meta_data as $meta ) {
			if ( $meta->key === $key ) {
				return true;
			}
		}
		return false;
	}
	public function get_meta_data() {
		return array_values( $this->meta_data );
	}
	public function update_meta_data( $key, $value, $meta_id = 0 ) {
		foreach ( $this->meta_data as $meta ) {
			if ( $meta->key === $key ) {
				$meta->value                = $value;
				$this->meta_changed[ $key ] = true;
				return;
			}
		}
		$this->add_meta_data( $key, $value );
	}
	public function add_meta_data( $key, $value, $unique = false ) {
		$this->meta_data[]          = new WC_Meta_Data( array( 'key' => $key, 'value' => $value ) );
		$this->meta_changed[ $key ] = true;
	}
	public function delete_meta_data( $key ) {
		foreach ( $this->meta_data as $i => $meta ) {
			if ( $meta->key === $key ) {
				unset( $this->meta_data[ $i ] );
			}
		}
		$this->meta_changed[ $key ] = true;
	}
	public function save_meta_data() {
		if ( ! $this->data_store || ! $this->id ) {
			return;
		}
		foreach ( array_keys( $this->meta_changed ) as $key ) {
			$this->data_store->write_meta( $this, $key, $this->get_meta( $key, false ) );
		}
		$this->meta_changed = array();
	}
	public function read_meta_data_from( array $rows ) {
		$this->meta_data = array();
		foreach ( $rows as $key => $values ) {
			foreach ( (array) $values as $value ) {
				$this->meta_data[] = new WC_Meta_Data( array( 'key' => $key, 'value' => maybe_unserialize( $value ) ) );
			}
		}
		$this->meta_changed = array();
	}
	public function save() {
		if ( ! $this->data_store ) {
			return $this->get_id();
		}
		do_action( 'woocommerce_before_' . $this->object_type . '_object_save', $this, $this->data_store );
		if ( $this->get_id() ) {
			$this->data_store->update( $this );
		} else {
			$this->data_store->create( $this );
		}
		do_action( 'woocommerce_after_' . $this->object_type . '_object_save', $this, $this->data_store );
		return $this->get_id();
	}
	public function delete( $force_delete = false ) {
		if ( $this->data_store ) {
			$this->data_store->delete( $this, array( 'force_delete' => $force_delete ) );
			$this->set_id( 0 );
			return true;
		}
		return false;
	}
}

/** WC_DateTime. */
class WC_DateTime extends DateTime {
	public function getOffsetTimestamp() {
		return $this->getTimestamp() + $this->getOffset();
	}
	public function date( $format ) {
		return gmdate( $format, $this->getTimestamp() );
	}
}
