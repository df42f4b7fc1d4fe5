<?php
/**
 * Catalog lookups answered from arrays.
 *
 * @package TikTokShopSync\Tests
 */

use TikTokShopSync\Sync\WooCatalog;

/** In-memory WooCatalog. */
class FakeCatalog extends WooCatalog {
	public $products   = array();
	public $images     = array();
	public $categories = array();
	public $brands     = array();
	public $labels     = array( 'pa_size' => 'Size', 'pa_colour' => 'Colour' );
	public $terms      = array();
	public $units      = array( 'kg', 'cm' );

	public function add( $product ) {
		$this->products[ $product->get_id() ] = $product;
		return $product;
	}
	public function product( $id ) {
		return $this->products[ (int) $id ] ?? null;
	}
	public function variations( $product ) {
		return array_values( array_filter( $this->products, static function ( $p ) use ( $product ) { return $p->is_type( 'variation' ) && $p->get_parent_id() === $product->get_id(); } ) );
	}
	public function image( $attachment_id ) {
		return $this->images[ (int) $attachment_id ] ?? null;
	}
	public function categories( array $term_ids ) {
		return array_values( array_intersect_key( $this->categories, array_flip( $term_ids ) ) );
	}
	public function brand( $product_id ) {
		return $this->brands[ (int) $product_id ] ?? null;
	}
	public function attribute_label( $name, $product ) {
		return $this->labels[ $name ] ?? $name;
	}
	public function term_names( $taxonomy, array $term_ids ) {
		return array_map( function ( $id ) use ( $taxonomy ) { return $this->terms[ $taxonomy ][ $id ]; }, $term_ids );
	}
	public function term_name_by_slug( $taxonomy, $slug ) {
		return ucfirst( $slug );
	}
	public function permalink( $product ) {
		return 'https://shop.example/p/' . $product->get_id();
	}
	public function currency() {
		return 'GBP';
	}
	public function weight_unit() {
		return $this->units[0];
	}
	public function dimension_unit() {
		return $this->units[1];
	}
	public function platform_version() {
		return '9.4.0';
	}
	public function base_url() {
		return 'https://shop.example/';
	}
}
