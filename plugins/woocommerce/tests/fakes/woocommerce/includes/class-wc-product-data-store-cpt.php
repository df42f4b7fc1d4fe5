<?php
/**
 * Product data stores: products as posts and post meta, with WooCommerce's meta keys and hook order.
 *
 * @package TikTokShopSync\Tests
 */

defined( 'ABSPATH' ) || exit;

/** WC_Product_Data_Store_CPT. */
class WC_Product_Data_Store_CPT {
	/** Props stored in meta, by meta key (as in WooCommerce's $meta_key_to_props). */
	protected $meta_key_to_props = array(
		'_sku'                   => 'sku',
		'_global_unique_id'      => 'global_unique_id',
		'_regular_price'         => 'regular_price',
		'_sale_price'            => 'sale_price',
		'_price'                 => 'price',
		'_manage_stock'          => 'manage_stock',
		'_stock'                 => 'stock_quantity',
		'_stock_status'          => 'stock_status',
		'_backorders'            => 'backorders',
		'_weight'                => 'weight',
		'_length'                => 'length',
		'_width'                 => 'width',
		'_height'                => 'height',
		'_thumbnail_id'          => 'image_id',
		'_product_image_gallery' => 'gallery_image_ids',
		'_product_attributes'    => 'attributes',
	);
	protected $post_props = array( 'name', 'slug', 'status', 'description', 'short_description', 'parent_id', 'menu_order' );
	protected $updated_props = array();
	protected $new_hook      = 'woocommerce_new_product';
	protected $update_hook   = 'woocommerce_update_product';

	public function get_internal_meta_keys() {
		return array_keys( $this->meta_key_to_props );
	}

	public function create( &$product ) {
		$id = wp_insert_post(
			array(
				'post_type'    => $product->get_post_type(),
				'post_status'  => $product->get_status() ? $product->get_status() : 'publish',
				'post_title'   => $product->get_name() ? $product->get_name() : __( 'Product' ),
				'post_content' => $product->get_description(),
				'post_excerpt' => $product->get_short_description(),
				'post_parent'  => $product->get_parent_id(),
				'menu_order'   => $product->get_menu_order(),
				'post_name'    => $product->get_slug( 'edit' ),
			),
			true
		);
		if ( $id && ! is_wp_error( $id ) ) {
			$product->set_id( $id );
			$this->update_post_meta( $product, true );
			$this->update_terms( $product, true );
			$this->handle_updated_props( $product );
			$product->save_meta_data();
			$product->apply_changes();
			do_action( $this->new_hook, $id, $product );
		}
	}

	public function update( &$product ) {
		$product->save_meta_data();
		$changes = $product->get_changes();
		if ( array_intersect( $this->post_props, array_keys( $changes ) ) ) {
			wp_update_post(
				array(
					'ID'           => $product->get_id(),
					'post_status'  => $product->get_status( 'edit' ),
					'post_title'   => $product->get_name( 'edit' ),
					'post_content' => $product->get_description( 'edit' ),
					'post_excerpt' => $product->get_short_description( 'edit' ),
					'post_parent'  => $product->get_parent_id( 'edit' ),
					'menu_order'   => $product->get_menu_order( 'edit' ),
				)
			);
		}
		$this->update_post_meta( $product );
		$this->update_terms( $product );
		$this->handle_updated_props( $product );
		$product->apply_changes();
		do_action( $this->update_hook, $product->get_id(), $product );
	}

	public function read( &$product ) {
		$post = get_post( $product->get_id() );
		if ( ! $post || $post->post_type !== $product->get_post_type() ) {
			throw new Exception( 'Invalid product.' );
		}
		$props = array(
			'name'              => $post->post_title,
			'slug'              => $post->post_name,
			'status'            => $post->post_status,
			'description'       => $post->post_content,
			'short_description' => $post->post_excerpt,
			'parent_id'         => $post->post_parent,
			'menu_order'        => $post->menu_order,
		);
		foreach ( $this->meta_key_to_props as $key => $prop ) {
			$value = get_post_meta( $post->ID, $key, true );
			if ( '_manage_stock' === $key ) {
				$value = 'yes' === $value;
			} elseif ( '_stock' === $key ) {
				$value = '' === $value ? null : (float) $value;
			} elseif ( '_product_image_gallery' === $key ) {
				$value = array_filter( explode( ',', (string) $value ) );
			} elseif ( '_product_attributes' === $key ) {
				$value = $this->read_attributes( $post->ID, $value );
			} elseif ( '_stock_status' === $key && '' === $value ) {
				$value = 'instock';
			} elseif ( '_backorders' === $key && '' === $value ) {
				$value = 'no';
			}
			$props[ $prop ] = $value;
		}
		if ( 'product' === $product->get_post_type() ) {
			$props['category_ids'] = wp_get_post_terms( $post->ID, 'product_cat', array( 'fields' => 'ids' ) );
			$props['tag_ids']      = wp_get_post_terms( $post->ID, 'product_tag', array( 'fields' => 'ids' ) );
			if ( taxonomy_exists( 'product_brand' ) ) {
				$props['brand_ids'] = wp_get_post_terms( $post->ID, 'product_brand', array( 'fields' => 'ids' ) );
			}
		}
		$product->set_props( $props );
		$this->read_extra( $product, $post );
		$meta = array();
		foreach ( get_post_meta( $post->ID ) as $key => $values ) {
			if ( ! isset( $this->meta_key_to_props[ $key ] ) && 0 !== strpos( $key, 'attribute_' ) && '_edit_lock' !== $key ) {
				$meta[ $key ] = $values;
			}
		}
		$product->read_meta_data_from( $meta );
	}

	protected function read_extra( &$product, $post ) {
	}

	protected function read_attributes( $post_id, $meta ) {
		$out = array();
		foreach ( (array) $meta as $key => $raw ) {
			$attribute = new WC_Product_Attribute();
			if ( ! empty( $raw['is_taxonomy'] ) ) {
				$attribute->set_id( wc_attribute_taxonomy_id_by_name( $raw['name'] ) );
				$attribute->set_options( wp_get_post_terms( $post_id, $raw['name'], array( 'fields' => 'ids' ) ) );
			} else {
				$attribute->set_options( array_map( 'trim', explode( '|', (string) $raw['value'] ) ) );
			}
			$attribute->set_name( $raw['name'] );
			$attribute->set_position( $raw['position'] );
			$attribute->set_visible( $raw['is_visible'] );
			$attribute->set_variation( $raw['is_variation'] );
			$out[ $key ] = $attribute;
		}
		return $out;
	}

	protected function update_post_meta( &$product, $force = false ) {
		$changes = $force ? array_merge( array_fill_keys( array_values( $this->meta_key_to_props ), true ), $product->get_changes() ) : $product->get_changes();
		foreach ( $this->meta_key_to_props as $key => $prop ) {
			if ( ! array_key_exists( $prop, $changes ) ) {
				continue;
			}
			$getter = 'get_' . $prop;
			$value  = $product->{$getter}( 'edit' );
			switch ( $prop ) {
				case 'manage_stock':
					$value = $value ? 'yes' : 'no';
					break;
				case 'gallery_image_ids':
					$value = implode( ',', (array) $value );
					break;
				case 'attributes':
					$value = $this->attributes_meta( $product, $value );
					break;
				case 'stock_quantity':
					$value = null === $value ? '' : wc_stock_amount( $value );
					break;
			}
			if ( update_post_meta( $product->get_id(), $key, $value ) ) {
				$this->updated_props[] = $prop;
			}
		}
	}

	protected function attributes_meta( $product, $attributes ) {
		$meta = array();
		foreach ( (array) $attributes as $attribute ) {
			$key = $attribute->is_taxonomy() ? $attribute->get_name() : sanitize_title( $attribute->get_name() );
			if ( $attribute->is_taxonomy() ) {
				wp_set_object_terms( $product->get_id(), array_map( 'intval', $attribute->get_options() ), $attribute->get_name() );
			}
			$meta[ $key ] = array(
				'name'         => $attribute->get_name(),
				'value'        => $attribute->is_taxonomy() ? '' : implode( ' | ', $attribute->get_options() ),
				'position'     => $attribute->get_position(),
				'is_visible'   => (int) $attribute->get_visible(),
				'is_variation' => (int) $attribute->get_variation(),
				'is_taxonomy'  => (int) $attribute->is_taxonomy(),
			);
		}
		return $meta;
	}

	protected function update_terms( &$product, $force = false ) {
		if ( 'product' !== $product->get_post_type() ) {
			return;
		}
		$changes = $product->get_changes();
		if ( $force || array_key_exists( 'category_ids', $changes ) ) {
			wp_set_post_terms( $product->get_id(), $product->get_category_ids( 'edit' ), 'product_cat', false );
		}
		if ( $force || array_key_exists( 'tag_ids', $changes ) ) {
			wp_set_post_terms( $product->get_id(), $product->get_tag_ids( 'edit' ), 'product_tag', false );
		}
		if ( taxonomy_exists( 'product_brand' ) && ( $force || array_key_exists( 'brand_ids', $changes ) ) ) {
			wp_set_post_terms( $product->get_id(), $product->get_brand_ids( 'edit' ), 'product_brand', false );
		}
		wp_set_object_terms( $product->get_id(), $product->get_type(), 'product_type' );
	}

	/** As in WooCommerce: stock hooks, then woocommerce_product_object_updated_props. */
	protected function handle_updated_props( &$product ) {
		if ( in_array( 'stock_quantity', $this->updated_props, true ) ) {
			if ( $product->is_type( 'variation' ) ) {
				do_action( 'woocommerce_variation_set_stock', $product );
			} else {
				do_action( 'woocommerce_product_set_stock', $product );
			}
		}
		if ( in_array( 'stock_status', $this->updated_props, true ) ) {
			if ( $product->is_type( 'variation' ) ) {
				do_action( 'woocommerce_variation_set_stock_status', $product->get_id(), $product->get_stock_status(), $product );
			} else {
				do_action( 'woocommerce_product_set_stock_status', $product->get_id(), $product->get_stock_status(), $product );
			}
		}
		do_action( 'woocommerce_product_object_updated_props', $product, $this->updated_props );
		$this->updated_props = array();
	}

	public function delete( &$product, $args = array() ) {
		$id        = $product->get_id();
		$post_type = $product->is_type( 'variation' ) ? 'product_variation' : 'product';
		if ( ! $id ) {
			return;
		}
		if ( ! empty( $args['force_delete'] ) ) {
			do_action( 'woocommerce_before_delete_' . $post_type, $id );
			wp_delete_post( $id, true );
			$product->set_id( 0 );
			do_action( 'woocommerce_delete_' . $post_type, $id );
		} else {
			wp_trash_post( $id );
			$product->set_status( 'trash' );
			do_action( 'woocommerce_trash_' . $post_type, $id );
		}
	}

	public function write_meta( $product, $key, array $values ) {
		delete_post_meta( $product->get_id(), $key );
		foreach ( $values as $value ) {
			add_post_meta( $product->get_id(), $key, $value );
		}
	}

	/** Direct stock write used by wc_update_product_stock(). */
	public function update_product_stock( $product_id_with_stock, $stock_quantity = null, $operation = 'set' ) {
		$current = (float) get_post_meta( $product_id_with_stock, '_stock', true );
		switch ( $operation ) {
			case 'increase':
				$new = $current + $stock_quantity;
				break;
			case 'decrease':
				$new = $current - $stock_quantity;
				break;
			default:
				$new = $stock_quantity;
		}
		update_post_meta( $product_id_with_stock, '_stock', wc_stock_amount( $new ) );
		wp_cache_delete( $product_id_with_stock, 'post_meta' );
		return $new;
	}

	public function read_stock_quantity( &$product, $new_stock = null ) {
		$product->set_props( array( 'stock_quantity' => null !== $new_stock ? $new_stock : get_post_meta( $product->get_id(), '_stock', true ) ) );
		$product->apply_changes();
	}
}

/** WC_Product_Variation_Data_Store_CPT. */
class WC_Product_Variation_Data_Store_CPT extends WC_Product_Data_Store_CPT {
	protected $new_hook    = 'woocommerce_new_product_variation';
	protected $update_hook = 'woocommerce_update_product_variation';

	public function create( &$product ) {
		if ( ! $product->get_name( 'edit' ) ) {
			$parent = get_post( $product->get_parent_id() );
			$product->set_name( $parent ? $parent->post_title : 'Variation' );
		}
		parent::create( $product );
		$this->write_variation_attributes( $product );
	}

	public function update( &$product ) {
		$changes = $product->get_changes();
		parent::update( $product );
	}

	protected function update_post_meta( &$product, $force = false ) {
		$changes = $product->get_changes();
		parent::update_post_meta( $product, $force );
		if ( $force || array_key_exists( 'attributes', $changes ) ) {
			$this->write_variation_attributes( $product );
		}
	}

	protected function write_variation_attributes( $product ) {
		if ( ! $product->get_id() ) {
			return;
		}
		foreach ( (array) $product->get_attributes( 'edit' ) as $key => $value ) {
			update_post_meta( $product->get_id(), 'attribute_' . $key, $value );
		}
	}

	protected function attributes_meta( $product, $attributes ) {
		return '';
	}

	protected function read_attributes( $post_id, $meta ) {
		$out = array();
		foreach ( get_post_meta( $post_id ) as $key => $values ) {
			if ( 0 === strpos( $key, 'attribute_' ) ) {
				$out[ substr( $key, strlen( 'attribute_' ) ) ] = (string) $values[0];
			}
		}
		return $out;
	}

	protected function read_extra( &$product, $post ) {
		$parent = get_post( $post->post_parent );
		if ( ! $parent ) {
			return;
		}
		$product->set_parent_data(
			array(
				'sku'            => get_post_meta( $parent->ID, '_sku', true ),
				'weight'         => get_post_meta( $parent->ID, '_weight', true ),
				'length'         => get_post_meta( $parent->ID, '_length', true ),
				'width'          => get_post_meta( $parent->ID, '_width', true ),
				'height'         => get_post_meta( $parent->ID, '_height', true ),
				'image_id'       => get_post_meta( $parent->ID, '_thumbnail_id', true ),
				'manage_stock'   => 'yes' === get_post_meta( $parent->ID, '_manage_stock', true ),
				'stock_quantity' => '' === get_post_meta( $parent->ID, '_stock', true ) ? null : (float) get_post_meta( $parent->ID, '_stock', true ),
				'backorders'     => get_post_meta( $parent->ID, '_backorders', true ) ? get_post_meta( $parent->ID, '_backorders', true ) : 'no',
			)
		);
	}
}
