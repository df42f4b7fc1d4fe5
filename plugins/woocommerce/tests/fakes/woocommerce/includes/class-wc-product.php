<?php
/**
 * WC_Product family with WooCommerce's props and getters.
 *
 * @package TikTokShopSync\Tests
 */

defined( 'ABSPATH' ) || exit;

/** A product attribute as stored on the parent product. */
class WC_Product_Attribute {
	protected $data = array(
		'id'        => 0,
		'name'      => '',
		'options'   => array(),
		'position'  => 0,
		'visible'   => false,
		'variation' => false,
	);
	public function set_id( $v ) { $this->data['id'] = absint( $v ); }
	public function get_id() { return $this->data['id']; }
	public function set_name( $v ) { $this->data['name'] = $v; }
	public function get_name() { return $this->data['name']; }
	public function set_options( $v ) { $this->data['options'] = $v; }
	public function get_options() { return $this->data['options']; }
	public function set_position( $v ) { $this->data['position'] = absint( $v ); }
	public function get_position() { return $this->data['position']; }
	public function set_visible( $v ) { $this->data['visible'] = (bool) $v; }
	public function get_visible() { return $this->data['visible']; }
	public function set_variation( $v ) { $this->data['variation'] = (bool) $v; }
	public function get_variation() { return $this->data['variation']; }
	public function is_taxonomy() { return 0 < $this->data['id']; }
	public function get_taxonomy() { return $this->is_taxonomy() ? $this->data['name'] : ''; }
	public function get_data() { return $this->data; }
}

/** Base product. */
class WC_Product extends WC_Data {
	protected $object_type = 'product';
	protected $post_type   = 'product';
	protected $data        = array(
		'name'               => '',
		'slug'               => '',
		'status'             => false,
		'catalog_visibility' => 'visible',
		'description'        => '',
		'short_description'  => '',
		'sku'                => '',
		'global_unique_id'   => '',
		'price'              => '',
		'regular_price'      => '',
		'sale_price'         => '',
		'date_on_sale_from'  => null,
		'date_on_sale_to'    => null,
		'manage_stock'       => false,
		'stock_quantity'     => null,
		'stock_status'       => 'instock',
		'backorders'         => 'no',
		'weight'             => '',
		'length'             => '',
		'width'              => '',
		'height'             => '',
		'parent_id'          => 0,
		'attributes'         => array(),
		'menu_order'         => 0,
		'category_ids'       => array(),
		'tag_ids'            => array(),
		'brand_ids'          => array(),
		'image_id'           => '',
		'gallery_image_ids'  => array(),
		'tax_class'          => '',
	);

	public function __construct( $product = 0 ) {
		$this->data_store = $this->make_data_store();
		if ( is_numeric( $product ) && $product > 0 ) {
			$this->set_id( $product );
		} elseif ( $product instanceof WC_Product ) {
			$this->set_id( $product->get_id() );
		}
		if ( $this->get_id() > 0 ) {
			$this->data_store->read( $this );
		}
		$this->set_object_read( true );
	}
	protected function make_data_store() {
		return new WC_Product_Data_Store_CPT();
	}
	public function get_type() { return 'simple'; }
	public function is_type( $type ) {
		return ( $this->get_type() === $type || ( is_array( $type ) && in_array( $this->get_type(), $type, true ) ) );
	}
	public function get_post_type() { return $this->post_type; }

	public function get_name( $context = 'view' ) { return $this->get_prop( 'name', $context ); }
	public function get_slug( $context = 'view' ) { return $this->get_prop( 'slug', $context ); }
	public function get_status( $context = 'view' ) { return $this->get_prop( 'status', $context ); }
	public function get_catalog_visibility( $context = 'view' ) { return $this->get_prop( 'catalog_visibility', $context ); }
	public function get_description( $context = 'view' ) { return $this->get_prop( 'description', $context ); }
	public function get_short_description( $context = 'view' ) { return $this->get_prop( 'short_description', $context ); }
	public function get_sku( $context = 'view' ) { return $this->get_prop( 'sku', $context ); }
	public function get_global_unique_id( $context = 'view' ) { return $this->get_prop( 'global_unique_id', $context ); }
	public function get_price( $context = 'view' ) { return $this->get_prop( 'price', $context ); }
	public function get_regular_price( $context = 'view' ) { return $this->get_prop( 'regular_price', $context ); }
	public function get_sale_price( $context = 'view' ) { return $this->get_prop( 'sale_price', $context ); }
	public function get_date_on_sale_from( $context = 'view' ) { return $this->get_prop( 'date_on_sale_from', $context ); }
	public function get_date_on_sale_to( $context = 'view' ) { return $this->get_prop( 'date_on_sale_to', $context ); }
	public function get_manage_stock( $context = 'view' ) { return $this->get_prop( 'manage_stock', $context ); }
	public function get_stock_quantity( $context = 'view' ) { return $this->get_prop( 'stock_quantity', $context ); }
	public function get_stock_status( $context = 'view' ) { return $this->get_prop( 'stock_status', $context ); }
	public function get_backorders( $context = 'view' ) { return $this->get_prop( 'backorders', $context ); }
	public function get_weight( $context = 'view' ) { return $this->get_prop( 'weight', $context ); }
	public function get_length( $context = 'view' ) { return $this->get_prop( 'length', $context ); }
	public function get_width( $context = 'view' ) { return $this->get_prop( 'width', $context ); }
	public function get_height( $context = 'view' ) { return $this->get_prop( 'height', $context ); }
	public function get_parent_id( $context = 'view' ) { return $this->get_prop( 'parent_id', $context ); }
	public function get_attributes( $context = 'view' ) { return $this->get_prop( 'attributes', $context ); }
	public function get_menu_order( $context = 'view' ) { return $this->get_prop( 'menu_order', $context ); }
	public function get_category_ids( $context = 'view' ) { return $this->get_prop( 'category_ids', $context ); }
	public function get_tag_ids( $context = 'view' ) { return $this->get_prop( 'tag_ids', $context ); }
	public function get_brand_ids( $context = 'view' ) { return $this->get_prop( 'brand_ids', $context ); }
	public function get_image_id( $context = 'view' ) { return $this->get_prop( 'image_id', $context ); }
	public function get_gallery_image_ids( $context = 'view' ) { return $this->get_prop( 'gallery_image_ids', $context ); }
	public function get_children() { return array(); }

	public function set_name( $v ) { $this->set_prop( 'name', $v ); }
	public function set_slug( $v ) { $this->set_prop( 'slug', $v ); }
	public function set_status( $v ) { $this->set_prop( 'status', $v ); }
	public function set_catalog_visibility( $v ) { $this->set_prop( 'catalog_visibility', $v ); }
	public function set_description( $v ) { $this->set_prop( 'description', $v ); }
	public function set_short_description( $v ) { $this->set_prop( 'short_description', $v ); }
	public function set_sku( $v ) { $this->set_prop( 'sku', (string) $v ); }
	public function get_tax_class( $context = 'view' ) { return $this->get_prop( 'tax_class', $context ); }
	public function set_tax_class( $v ) { $this->set_prop( 'tax_class', (string) $v ); }
	public function set_global_unique_id( $v ) { $this->set_prop( 'global_unique_id', (string) $v ); }
	public function set_price( $v ) { $this->set_prop( 'price', wc_format_decimal( $v ) ); }
	public function set_regular_price( $v ) { $this->set_prop( 'regular_price', wc_format_decimal( $v ) ); }
	public function set_sale_price( $v ) { $this->set_prop( 'sale_price', wc_format_decimal( $v ) ); }
	public function set_date_on_sale_from( $v ) { $this->set_prop( 'date_on_sale_from', $v ); }
	public function set_date_on_sale_to( $v ) { $this->set_prop( 'date_on_sale_to', $v ); }
	public function set_manage_stock( $v ) { $this->set_prop( 'manage_stock', wc_string_to_bool( $v ) ); }
	public function set_stock_quantity( $v ) { $this->set_prop( 'stock_quantity', '' !== $v && null !== $v ? (float) $v : null ); }
	public function set_stock_status( $v ) { $this->set_prop( 'stock_status', $v ? $v : 'instock' ); }
	public function set_backorders( $v ) { $this->set_prop( 'backorders', $v ); }
	public function set_weight( $v ) { $this->set_prop( 'weight', wc_format_decimal( $v ) ); }
	public function set_length( $v ) { $this->set_prop( 'length', wc_format_decimal( $v ) ); }
	public function set_width( $v ) { $this->set_prop( 'width', wc_format_decimal( $v ) ); }
	public function set_height( $v ) { $this->set_prop( 'height', wc_format_decimal( $v ) ); }
	public function set_parent_id( $v ) { $this->set_prop( 'parent_id', absint( $v ) ); }
	public function set_attributes( $v ) { $this->set_prop( 'attributes', $v ); }
	public function set_menu_order( $v ) { $this->set_prop( 'menu_order', (int) $v ); }
	public function set_category_ids( $v ) { $this->set_prop( 'category_ids', array_map( 'absint', (array) $v ) ); }
	public function set_tag_ids( $v ) { $this->set_prop( 'tag_ids', array_map( 'absint', (array) $v ) ); }
	public function set_brand_ids( $v ) { $this->set_prop( 'brand_ids', array_map( 'absint', (array) $v ) ); }
	public function set_image_id( $v ) { $this->set_prop( 'image_id', $v ); }
	public function set_gallery_image_ids( $v ) { $this->set_prop( 'gallery_image_ids', array_filter( array_map( 'absint', (array) $v ) ) ); }

	public function get_permalink() {
		return get_permalink( $this->get_id() );
	}
	public function managing_stock() {
		return (bool) $this->get_manage_stock();
	}
	public function backorders_allowed() {
		return in_array( $this->get_backorders(), array( 'yes', 'notify' ), true );
	}
	public function get_stock_managed_by_id() {
		return $this->get_id();
	}
	public function is_on_sale( $context = 'view' ) {
		return '' !== (string) $this->get_sale_price( $context ) && (float) $this->get_regular_price( $context ) > (float) $this->get_sale_price( $context );
	}
	public function exists() {
		return false !== $this->get_status();
	}
	public function validate_props() {
		if ( ! $this->get_manage_stock() ) {
			$this->set_stock_quantity( '' );
		} elseif ( 'no' === $this->get_backorders() && null !== $this->get_stock_quantity() ) {
			$this->set_stock_status( $this->get_stock_quantity() > 0 ? 'instock' : 'outofstock' );
		}
	}
	public function save() {
		$this->validate_props();
		// Active price follows regular/sale, as WC_Product_Data_Store_CPT::handle_updated_props does.
		$sale = (string) $this->get_sale_price( 'edit' );
		$this->set_price( '' !== $sale && $this->is_on_sale( 'edit' ) ? $sale : $this->get_regular_price( 'edit' ) );
		$id = parent::save();
		$this->maybe_defer_product_sync();
		return $id;
	}
	/** As WC_Product: a child product queues its parent for syncing at the end of the request. */
	protected function maybe_defer_product_sync() {
		if ( $this->get_parent_id() ) {
			wc_deferred_product_sync( $this->get_parent_id() );
		}
	}
}

/** Simple product. */
class WC_Product_Simple extends WC_Product {
	public function get_type() { return 'simple'; }
}

/** Variable product. */
class WC_Product_Variable extends WC_Product {
	public function get_type() { return 'variable'; }
	public function get_children( $visible_only = '' ) {
		if ( ! $this->get_id() ) {
			return array();
		}
		return array_map(
			'intval',
			get_posts(
				array(
					'post_parent' => $this->get_id(),
					'post_type'   => 'product_variation',
					'orderby'     => array( 'menu_order' => 'ASC', 'ID' => 'ASC' ),
					'fields'      => 'ids',
					'post_status' => array( 'publish', 'private' ),
					'numberposts' => -1,
				)
			)
		);
	}
	public function save() {
		$this->validate_props();
		return WC_Data::save();
	}
	/**
	 * WC_Product_Variable::sync(): the lowest child price becomes the parent's, then
	 * woocommerce_variable_product_sync_data, then (by default) the parent is saved. Run at shutdown
	 * (priority 10) for every parent whose variation was saved in the request.
	 */
	public static function sync( $product, $save = true ) {
		if ( ! is_a( $product, 'WC_Product' ) ) {
			$product = wc_get_product( $product );
		}
		if ( ! is_a( $product, 'WC_Product_Variable' ) ) {
			return $product;
		}
		$prices = array();
		foreach ( $product->get_children() as $child_id ) {
			$price = get_post_meta( $child_id, '_price', true );
			if ( '' !== $price ) {
				$prices[] = (float) $price;
			}
		}
		delete_post_meta( $product->get_id(), '_price' );
		if ( $prices ) {
			add_post_meta( $product->get_id(), '_price', wc_format_decimal( min( $prices ) ) );
		}
		do_action( 'woocommerce_variable_product_sync_data', $product );
		if ( $save ) {
			$product->save();
		}
		return $product;
	}
}

/** Variation: falls back to parent data in view context, as WC_Product_Variation does. */
class WC_Product_Variation extends WC_Product_Simple {
	protected $post_type   = 'product_variation';
	protected $parent_data = array();

	protected function make_data_store() {
		return new WC_Product_Variation_Data_Store_CPT();
	}
	public function get_type() { return 'variation'; }
	public function set_parent_data( array $data ) { $this->parent_data = $data; }
	public function get_parent_data() { return $this->parent_data; }

	public function get_sku( $context = 'view' ) {
		$value = $this->get_prop( 'sku', $context );
		if ( 'view' === $context && '' === (string) $value && isset( $this->parent_data['sku'] ) ) {
			return $this->parent_data['sku'];
		}
		return $value;
	}
	public function get_weight( $context = 'view' ) { return $this->fallback( 'weight', $context ); }
	public function get_length( $context = 'view' ) { return $this->fallback( 'length', $context ); }
	public function get_width( $context = 'view' ) { return $this->fallback( 'width', $context ); }
	public function get_height( $context = 'view' ) { return $this->fallback( 'height', $context ); }
	public function get_image_id( $context = 'view' ) { return $this->fallback( 'image_id', $context ); }
	public function get_manage_stock( $context = 'view' ) {
		$value = $this->get_prop( 'manage_stock', $context );
		if ( 'view' === $context && false === $value && ! empty( $this->parent_data['manage_stock'] ) ) {
			return 'parent';
		}
		return $value;
	}
	public function get_stock_quantity( $context = 'view' ) {
		if ( 'view' === $context && 'parent' === $this->get_manage_stock() ) {
			return $this->parent_data['stock_quantity'];
		}
		return $this->get_prop( 'stock_quantity', $context );
	}
	public function get_backorders( $context = 'view' ) {
		if ( 'view' === $context && 'parent' === $this->get_manage_stock() ) {
			return $this->parent_data['backorders'];
		}
		return $this->get_prop( 'backorders', $context );
	}
	public function get_stock_managed_by_id() {
		return 'parent' === $this->get_manage_stock() ? $this->get_parent_id() : $this->get_id();
	}
	public function get_name( $context = 'view' ) {
		return $this->get_prop( 'name', $context );
	}
	public function validate_props() {
		if ( true === $this->get_manage_stock( 'edit' ) && 'no' === $this->get_backorders( 'edit' ) && null !== $this->get_stock_quantity( 'edit' ) ) {
			$this->set_stock_status( $this->get_stock_quantity( 'edit' ) > 0 ? 'instock' : 'outofstock' );
		}
	}
	private function fallback( $prop, $context ) {
		$value = $this->get_prop( $prop, $context );
		if ( 'view' === $context && ( '' === $value || null === $value || 0 === $value ) && isset( $this->parent_data[ $prop ] ) ) {
			return $this->parent_data[ $prop ];
		}
		return $value;
	}
}
