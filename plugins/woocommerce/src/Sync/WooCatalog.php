<?php
/**
 * Read-only access to the store's catalog.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Sync;

defined( 'ABSPATH' ) || exit;

/**
 * The WordPress and WooCommerce lookups the serializer needs (products, terms, attachments,
 * store units), gathered behind one small class so the mapping logic stays testable on its own.
 */
class WooCatalog {

	/**
	 * Taxonomies treated as "brand", first match wins. product_brand is WooCommerce core (9.6+);
	 * the others belong to common brand plugins.
	 *
	 * @var string[]
	 */
	const BRAND_TAXONOMIES = array( 'product_brand', 'pwb-brand', 'yith_product_brand' );

	/**
	 * A product by id.
	 *
	 * @param int|string $id Product id.
	 * @return \WC_Product|null
	 */
	public function product( $id ) {
		$product = function_exists( 'wc_get_product' ) ? wc_get_product( (int) $id ) : null;
		return $product ? $product : null;
	}

	/**
	 * Every variation of a variable product, disabled ones included (the caller decides).
	 *
	 * @param \WC_Product $product Parent.
	 * @return \WC_Product[]
	 */
	public function variations( $product ) {
		$out = array();
		foreach ( (array) $product->get_children() as $child_id ) {
			$child = $this->product( $child_id );
			if ( $child ) {
				$out[] = $child;
			}
		}
		return $out;
	}

	/**
	 * URL and alt text of an attachment.
	 *
	 * @param int $attachment_id Attachment id.
	 * @return array{url:string,alt:string}|null
	 */
	public function image( $attachment_id ) {
		$attachment_id = (int) $attachment_id;
		if ( $attachment_id <= 0 ) {
			return null;
		}
		$url = wp_get_attachment_url( $attachment_id );
		if ( ! $url ) {
			return null;
		}
		return array(
			'url' => (string) $url,
			'alt' => (string) get_post_meta( $attachment_id, '_wp_attachment_image_alt', true ),
		);
	}

	/**
	 * Category id, name and path from the root.
	 *
	 * @param int[] $term_ids product_cat term ids.
	 * @return array[]
	 */
	public function categories( array $term_ids ) {
		$out = array();
		foreach ( $term_ids as $term_id ) {
			$term = get_term( (int) $term_id, 'product_cat' );
			if ( ! $term || is_wp_error( $term ) ) {
				continue;
			}
			$path = array();
			foreach ( array_reverse( get_ancestors( (int) $term->term_id, 'product_cat', 'taxonomy' ) ) as $ancestor_id ) {
				$ancestor = get_term( (int) $ancestor_id, 'product_cat' );
				if ( $ancestor && ! is_wp_error( $ancestor ) ) {
					$path[] = html_entity_decode( $ancestor->name, ENT_QUOTES, 'UTF-8' );
				}
			}
			$name   = html_entity_decode( $term->name, ENT_QUOTES, 'UTF-8' );
			$path[] = $name;
			$out[]  = array(
				'id'   => (string) $term->term_id,
				'name' => $name,
				'path' => $path,
			);
		}
		return $out;
	}

	/**
	 * Brand name from the first brand taxonomy that exists and has a term on the product.
	 *
	 * @param int $product_id Product id.
	 * @return string|null
	 */
	public function brand( $product_id ) {
		$taxonomies = apply_filters( 'tts_sync_brand_taxonomies', self::BRAND_TAXONOMIES );
		foreach ( (array) $taxonomies as $taxonomy ) {
			if ( ! taxonomy_exists( $taxonomy ) ) {
				continue;
			}
			$terms = get_the_terms( (int) $product_id, $taxonomy );
			if ( is_array( $terms ) && $terms ) {
				return html_entity_decode( $terms[0]->name, ENT_QUOTES, 'UTF-8' );
			}
		}
		return null;
	}

	/**
	 * Human label of an attribute ("pa_size" → "Size").
	 *
	 * A global attribute's label is read from the attribute taxonomy itself. wc_attribute_label()
	 * only knows the attributes registered at the start of the request ($wc_product_attributes), so
	 * for one created in the same request (an import, a script, the REST API) it returns the
	 * taxonomy name, "pa_colour", which would become the option name on TikTok.
	 *
	 * @param string      $name    Attribute name or taxonomy.
	 * @param \WC_Product $product Product the attribute belongs to.
	 * @return string
	 */
	public function attribute_label( $name, $product ) {
		$name = (string) $name;
		if ( 0 === strpos( $name, 'pa_' ) && function_exists( 'wc_get_attribute_taxonomy_labels' ) ) {
			$labels = wc_get_attribute_taxonomy_labels();
			$slug   = substr( $name, 3 );
			if ( isset( $labels[ $slug ] ) && '' !== (string) $labels[ $slug ] ) {
				return (string) apply_filters( 'woocommerce_attribute_label', (string) $labels[ $slug ], $name, $product );
			}
		}
		return function_exists( 'wc_attribute_label' ) ? (string) wc_attribute_label( $name, $product ) : $name;
	}

	/**
	 * Display names of taxonomy attribute terms.
	 *
	 * @param string      $taxonomy Attribute taxonomy (pa_*).
	 * @param int[]       $term_ids Term ids (parent attribute options).
	 * @return string[]
	 */
	public function term_names( $taxonomy, array $term_ids ) {
		$names = array();
		foreach ( $term_ids as $term_id ) {
			$term = get_term( (int) $term_id, $taxonomy );
			if ( $term && ! is_wp_error( $term ) ) {
				$names[] = html_entity_decode( $term->name, ENT_QUOTES, 'UTF-8' );
			}
		}
		return $names;
	}

	/**
	 * Display name of a taxonomy attribute value stored as a slug on a variation.
	 *
	 * @param string $taxonomy Attribute taxonomy.
	 * @param string $slug     Term slug.
	 * @return string
	 */
	public function term_name_by_slug( $taxonomy, $slug ) {
		$term = get_term_by( 'slug', $slug, $taxonomy );
		return ( $term && ! is_wp_error( $term ) ) ? html_entity_decode( $term->name, ENT_QUOTES, 'UTF-8' ) : (string) $slug;
	}

	/**
	 * Product page URL.
	 *
	 * @param \WC_Product $product Product.
	 * @return string
	 */
	public function permalink( $product ) {
		return (string) $product->get_permalink();
	}

	/**
	 * Store currency code.
	 *
	 * @return string
	 */
	public function currency() {
		return function_exists( 'get_woocommerce_currency' ) ? (string) get_woocommerce_currency() : (string) get_option( 'woocommerce_currency', 'GBP' );
	}

	/**
	 * Weight unit as the hub names it (kg, g, lb, oz).
	 *
	 * @return string
	 */
	public function weight_unit() {
		$unit = (string) get_option( 'woocommerce_weight_unit', 'kg' );
		return 'lbs' === $unit ? 'lb' : $unit;
	}

	/**
	 * Dimension unit as WooCommerce stores it (cm, m, mm, in, yd).
	 *
	 * @return string
	 */
	public function dimension_unit() {
		return (string) get_option( 'woocommerce_dimension_unit', 'cm' );
	}

	/**
	 * WooCommerce version, when known.
	 *
	 * @return string
	 */
	public function platform_version() {
		if ( defined( 'WC_VERSION' ) ) {
			return (string) WC_VERSION;
		}
		return function_exists( 'WC' ) && isset( WC()->version ) ? (string) WC()->version : '';
	}

	/**
	 * Site home URL.
	 *
	 * @return string
	 */
	public function base_url() {
		return (string) home_url( '/' );
	}

	/**
	 * The key WooCommerce uses for a custom attribute on a variation (sanitize_title of its name).
	 *
	 * @param string $name Attribute name.
	 * @return string
	 */
	public function attribute_slug( $name ) {
		return sanitize_title( $name );
	}
}
