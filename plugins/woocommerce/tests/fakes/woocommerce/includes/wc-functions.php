<?php
/**
 * WooCommerce functions, post types, taxonomies, countries and the admin product save path.
 *
 * @package TikTokShopSync\Tests
 */

defined( 'ABSPATH' ) || exit;

function wc_doing_it_wrong( $function, $message, $version ) {
	_doing_it_wrong( $function, $message, $version ); // phpcs:ignore
}
function wc_format_decimal( $number ) {
	if ( '' === $number || null === $number ) {
		return '';
	}
	$number = str_replace( ',', '.', (string) $number );
	return is_numeric( $number ) ? rtrim( rtrim( number_format( (float) $number, 6, '.', '' ), '0' ), '.' ) : '';
}
function wc_string_to_bool( $string ) {
	return is_bool( $string ) ? $string : ( 'yes' === strtolower( (string) $string ) || 1 === $string || 'true' === strtolower( (string) $string ) || '1' === $string );
}
function wc_stock_amount( $amount ) {
	return (int) $amount;
}
function get_woocommerce_currency() {
	return apply_filters( 'woocommerce_currency', get_option( 'woocommerce_currency', 'GBP' ) );
}

/** wc_get_product(): the right class for the product type. */
function wc_get_product( $the_product = false ) {
	$id   = is_object( $the_product ) ? ( $the_product instanceof WP_Post ? $the_product->ID : $the_product->get_id() ) : absint( $the_product );
	$post = $id ? get_post( $id ) : null;
	if ( ! $post || ! in_array( $post->post_type, array( 'product', 'product_variation' ), true ) ) {
		return false;
	}
	if ( 'product_variation' === $post->post_type ) {
		$class = 'WC_Product_Variation';
	} else {
		$terms = wp_get_post_terms( $id, 'product_type', array( 'fields' => 'names' ) );
		$type  = $terms && ! is_wp_error( $terms ) ? $terms[0] : 'simple';
		$class = 'variable' === $type ? 'WC_Product_Variable' : 'WC_Product_Simple';
	}
	try {
		return new $class( $id );
	} catch ( Exception $e ) {
		return false;
	}
}

/** wc_get_products(): the query arguments this plugin and tests use. */
function wc_get_products( $args ) {
	$args  = wp_parse_args( $args, array( 'status' => array( 'draft', 'pending', 'private', 'publish' ), 'limit' => get_option( 'posts_per_page' ), 'page' => 1, 'orderby' => 'date', 'order' => 'DESC', 'return' => 'objects', 'paginate' => false ) );
	$query = array(
		'post_type'      => 'product',
		'post_status'    => $args['status'],
		'posts_per_page' => $args['limit'],
		'paged'          => $args['page'],
		'orderby'        => $args['orderby'],
		'order'          => $args['order'],
		'fields'         => 'ids',
	);
	if ( ! empty( $args['type'] ) ) {
		$query['tax_query'] = array( array( 'taxonomy' => 'product_type', 'field' => 'slug', 'terms' => (array) $args['type'] ) ); // phpcs:ignore
	}
	$wp_query = new WP_Query( $query );
	$ids      = array_map( 'intval', $wp_query->posts );
	$results  = 'ids' === $args['return'] ? $ids : array_filter( array_map( 'wc_get_product', $ids ) );
	if ( $args['paginate'] ) {
		return (object) array( 'products' => $results, 'total' => (int) $wp_query->found_posts, 'max_num_pages' => (int) $wp_query->max_num_pages );
	}
	return $results;
}

function wc_get_product_id_by_sku( $sku ) {
	$ids = get_posts( array( 'post_type' => array( 'product', 'product_variation' ), 'post_status' => array( 'publish', 'private', 'draft' ), 'meta_key' => '_sku', 'meta_value' => $sku, 'fields' => 'ids', 'numberposts' => 1 ) ); // phpcs:ignore
	return $ids ? (int) $ids[0] : 0;
}

/** wc_update_product_stock(): direct write, re-read, save, then the stock hook, as in WooCommerce. */
function wc_update_product_stock( $product, $stock_quantity = null, $operation = 'set', $updating = false ) {
	if ( ! is_a( $product, 'WC_Product' ) ) {
		$product = wc_get_product( $product );
	}
	if ( ! $product ) {
		return false;
	}
	if ( ! is_null( $stock_quantity ) && $product->managing_stock() ) {
		$product_id_with_stock = $product->get_stock_managed_by_id();
		$product_with_stock    = $product_id_with_stock !== $product->get_id() ? wc_get_product( $product_id_with_stock ) : $product;
		$data_store            = $product_with_stock->get_data_store();
		if ( $product_with_stock->is_type( 'variation' ) ) {
			do_action( 'woocommerce_variation_before_set_stock', $product_with_stock );
		} else {
			do_action( 'woocommerce_product_before_set_stock', $product_with_stock );
		}
		$new_stock = $data_store->update_product_stock( $product_id_with_stock, $stock_quantity, $operation );
		$data_store->read_stock_quantity( $product_with_stock, $new_stock );
		if ( ! $updating ) {
			$product_with_stock->save();
		}
		if ( $product_with_stock->is_type( 'variation' ) ) {
			do_action( 'woocommerce_variation_set_stock', $product_with_stock );
		} else {
			do_action( 'woocommerce_product_set_stock', $product_with_stock );
		}
		return $product_with_stock->get_stock_quantity();
	}
	return $product->get_stock_quantity();
}

/** Deferred parent sync: wc_deferred_product_sync() and WC_Post_Data::do_deferred_product_sync() on shutdown (10). */
function wc_deferred_product_sync( $product_id ) {
	global $wc_deferred_product_sync;
	if ( empty( $wc_deferred_product_sync ) ) {
		$wc_deferred_product_sync = array();
	}
	$wc_deferred_product_sync[] = $product_id;
}
class WC_Post_Data {
	public static function init() {
		add_action( 'shutdown', array( __CLASS__, 'do_deferred_product_sync' ), 10 );
	}
	public static function do_deferred_product_sync() {
		global $wc_deferred_product_sync;
		if ( ! empty( $wc_deferred_product_sync ) ) {
			$ids                      = wp_parse_id_list( $wc_deferred_product_sync );
			$wc_deferred_product_sync = array();
			foreach ( $ids as $id ) {
				$product = wc_get_product( $id );
				if ( is_callable( array( $product, 'sync' ) ) ) {
					$product->sync( $product );
				}
			}
		}
	}
}
WC_Post_Data::init();

/** Attribute taxonomies (WooCommerce keeps them in woocommerce_attribute_taxonomies). */
function wc_get_attribute_taxonomies() {
	return (array) get_option( 'wc_fake_attribute_taxonomies', array() );
}
/**
 * wc_create_attribute(): stores the attribute only. As in WooCommerce, its taxonomy is registered
 * (and listed in $wc_product_attributes) on the next request's init, not in this one.
 */
function wc_create_attribute( $args ) {
	$all                  = wc_get_attribute_taxonomies();
	$id                   = count( $all ) + 1;
	$slug                 = wc_sanitize_taxonomy_name( $args['slug'] ?? $args['name'] );
	$all[ 'pa_' . $slug ] = array( 'id' => $id, 'name' => $slug, 'label' => $args['name'] );
	update_option( 'wc_fake_attribute_taxonomies', $all );
	return $id;
}
function wc_sanitize_taxonomy_name( $taxonomy ) {
	return apply_filters( 'sanitize_taxonomy_name', urldecode( sanitize_title( urldecode( $taxonomy ) ) ), $taxonomy );
}
function wc_attribute_taxonomy_name( $attribute_name ) {
	return $attribute_name ? 'pa_' . wc_sanitize_taxonomy_name( $attribute_name ) : '';
}
function wc_attribute_taxonomy_slug( $attribute_name ) {
	$attribute_name = wc_sanitize_taxonomy_name( $attribute_name );
	return 0 === strpos( $attribute_name, 'pa_' ) ? substr( $attribute_name, 3 ) : $attribute_name;
}
function wc_attribute_taxonomy_id_by_name( $name ) {
	$all = wc_get_attribute_taxonomies();
	return isset( $all[ $name ] ) ? (int) $all[ $name ]['id'] : 0;
}
/** attribute_name => attribute_label, read from the stored attributes (fresh after wc_create_attribute). */
function wc_get_attribute_taxonomy_labels() {
	$labels = array();
	foreach ( wc_get_attribute_taxonomies() as $attribute ) {
		$labels[ $attribute['name'] ] = $attribute['label'];
	}
	return $labels;
}
function taxonomy_is_product_attribute( $name ) {
	global $wc_product_attributes;
	return taxonomy_exists( $name ) && array_key_exists( $name, (array) $wc_product_attributes );
}
/** wc_attribute_label() as in WooCommerce 9.4: an attribute unknown to $wc_product_attributes falls back to the product's own name for it. */
function wc_attribute_label( $name, $product = '' ) {
	if ( taxonomy_is_product_attribute( $name ) ) {
		$slug       = wc_attribute_taxonomy_slug( $name );
		$all_labels = wc_get_attribute_taxonomy_labels();
		$label      = isset( $all_labels[ $slug ] ) ? $all_labels[ $slug ] : $slug;
	} elseif ( $product && is_object( $product ) ) {
		if ( $product->is_type( 'variation' ) ) {
			$product = wc_get_product( $product->get_parent_id() );
		}
		$attributes = $product ? $product->get_attributes() : array();
		$slug       = sanitize_title( $name );
		$label      = isset( $attributes[ $slug ] ) && is_object( $attributes[ $slug ] ) ? $attributes[ $slug ]->get_name() : $name;
	} else {
		$label = $name;
	}
	return apply_filters( 'woocommerce_attribute_label', $label, $name, $product );
}

/** Post types and taxonomies, registered on init as WC_Post_Types does. */
class WC_Post_Types {
	public static function register_taxonomies() {
		register_taxonomy( 'product_type', array( 'product' ), array( 'hierarchical' => false, 'public' => false, 'query_var' => is_admin(), 'rewrite' => false ) );
		register_taxonomy( 'product_cat', array( 'product' ), array( 'hierarchical' => true, 'label' => 'Categories' ) );
		register_taxonomy( 'product_tag', array( 'product' ), array( 'hierarchical' => false ) );
		register_taxonomy( 'product_brand', array( 'product' ), array( 'hierarchical' => true ) );
		foreach ( array( 'simple', 'grouped', 'variable', 'external' ) as $type ) {
			if ( ! term_exists( $type, 'product_type' ) ) {
				wp_insert_term( $type, 'product_type' );
			}
		}
		self::register_attribute_taxonomies();
	}
	/** Registers every stored attribute's taxonomy and lists it in $wc_product_attributes (init only). */
	public static function register_attribute_taxonomies() {
		global $wc_product_attributes;
		$wc_product_attributes = array();
		foreach ( wc_get_attribute_taxonomies() as $taxonomy => $attribute ) {
			if ( ! taxonomy_exists( $taxonomy ) ) {
				register_taxonomy( $taxonomy, array( 'product' ), array( 'hierarchical' => false, 'label' => $attribute['label'] ) );
			}
			$wc_product_attributes[ $taxonomy ] = (object) array( 'attribute_id' => $attribute['id'], 'attribute_name' => $attribute['name'], 'attribute_label' => $attribute['label'] );
		}
	}
	public static function register_post_types() {
		register_post_type( 'product', array( 'public' => true, 'supports' => array( 'title', 'editor', 'excerpt', 'thumbnail' ), 'has_archive' => true ) );
		register_post_type( 'product_variation', array( 'public' => false, 'hierarchical' => false ) );
	}
}

/** WC_Countries: the part used for address checks. */
class WC_Countries {
	public function get_countries() {
		return array( 'GB' => 'United Kingdom (UK)', 'IE' => 'Ireland', 'FR' => 'France', 'DE' => 'Germany', 'US' => 'United States (US)', 'ES' => 'Spain', 'IT' => 'Italy', 'NL' => 'Netherlands' );
	}
}

/**
 * Admin product save: WC_Admin_Meta_Boxes::save_meta_boxes on save_post (priority 1) fires
 * woocommerce_process_product_meta, where WC_Meta_Box_Product_Data::save reads the form and saves
 * the product through CRUD.
 */
class WC_Admin_Meta_Boxes {
	private static $saved_meta_boxes = false;
	public static function init() {
		add_action( 'save_post', array( __CLASS__, 'save_meta_boxes' ), 1, 2 );
		add_action( 'woocommerce_process_product_meta', array( 'WC_Meta_Box_Product_Data', 'save' ), 10, 2 );
	}
	public static function save_meta_boxes( $post_id, $post ) {
		if ( empty( $post_id ) || empty( $post ) || self::$saved_meta_boxes ) {
			return;
		}
		if ( empty( $_POST['woocommerce_meta_nonce'] ) || ! wp_verify_nonce( wp_unslash( $_POST['woocommerce_meta_nonce'] ), 'woocommerce_save_data' ) ) { // phpcs:ignore
			return;
		}
		if ( 'product' !== $post->post_type || ! current_user_can( 'edit_post', $post_id ) ) {
			return;
		}
		self::$saved_meta_boxes = true;
		do_action( 'woocommerce_process_' . $post->post_type . '_meta', $post_id, $post );
		self::$saved_meta_boxes = false;
	}
}
class WC_Meta_Box_Product_Data {
	public static function save( $post_id, $post ) {
		$product = wc_get_product( $post_id );
		$fields  = array( '_sku' => 'sku', '_regular_price' => 'regular_price', '_sale_price' => 'sale_price', '_weight' => 'weight', '_length' => 'length', '_width' => 'width', '_height' => 'height', '_stock_status' => 'stock_status', '_backorders' => 'backorders', '_global_unique_id' => 'global_unique_id' );
		$props   = array();
		foreach ( $fields as $field => $prop ) {
			if ( isset( $_POST[ $field ] ) ) { // phpcs:ignore
				$props[ $prop ] = wc_clean( wp_unslash( $_POST[ $field ] ) ); // phpcs:ignore
			}
		}
		$props['manage_stock']   = ! empty( $_POST['_manage_stock'] ); // phpcs:ignore
		$props['stock_quantity'] = isset( $_POST['_stock'] ) ? wc_stock_amount( wp_unslash( $_POST['_stock'] ) ) : null; // phpcs:ignore
		$product->set_props( $props );
		$product->set_status( $post->post_status );
		$product->set_name( $post->post_title );
		$product->set_description( $post->post_content );
		$product->save();
	}
}
function wc_clean( $var ) {
	return is_array( $var ) ? array_map( 'wc_clean', $var ) : ( is_scalar( $var ) ? sanitize_text_field( $var ) : $var );
}
if ( is_admin() ) {
	WC_Admin_Meta_Boxes::init();
}
