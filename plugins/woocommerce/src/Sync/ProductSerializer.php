<?php
/**
 * WooCommerce product → canonical PRODUCT (docs/canonical-data.md).
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Sync;

use TikTokShopSync\ExtensionClient\Events\VersionClock;

defined( 'ABSPATH' ) || exit;

/**
 * Translates a simple or variable WC_Product into the hub's canonical product.
 *
 * Money is a decimal string, quantities are ints, ids are strings. A simple product becomes one
 * variant (id = product id) with empty options. Units come from WooCommerce's settings and travel
 * with every weight and size; yards, which the hub does not take, are converted to inches.
 */
class ProductSerializer {

	/**
	 * Meta keys that other plugins use for a barcode, in order of preference. WooCommerce's own
	 * field (global_unique_id, meta _global_unique_id) is read first.
	 *
	 * @var string[]
	 */
	const BARCODE_META_KEYS = array( '_global_unique_id', '_gtin', '_ean', '_upc', '_isbn', '_barcode', 'hwp_product_gtin', 'hwp_var_gtin', '_wpm_gtin_code', '_ts_gtin', '_alg_ean' );

	/**
	 * Quantity sent for an in-stock product that does not manage stock (filter tts_sync_unmanaged_stock_quantity).
	 */
	const UNMANAGED_IN_STOCK_QUANTITY = 100;

	/**
	 * Catalog lookups.
	 *
	 * @var WooCatalog
	 */
	private $catalog;

	/**
	 * Version source.
	 *
	 * @var VersionClock
	 */
	private $clock;

	/**
	 * Constructor.
	 *
	 * @param WooCatalog   $catalog Catalog lookups.
	 * @param VersionClock $clock   Version source.
	 */
	public function __construct( WooCatalog $catalog, VersionClock $clock ) {
		$this->catalog = $catalog;
		$this->clock   = $clock;
	}

	/**
	 * The canonical product.
	 *
	 * @param \WC_Product $product A simple or variable product (a variation is serialised as its parent).
	 * @return array
	 * @throws \InvalidArgumentException When a variation's parent no longer exists.
	 */
	public function serialize( $product ) {
		if ( $product->is_type( 'variation' ) ) {
			$parent = $this->catalog->product( $product->get_parent_id() );
			if ( ! $parent ) {
				throw new \InvalidArgumentException( 'The variation ' . $product->get_id() . ' has no parent product.' );
			}
			$product = $parent;
		}

		$currency = $this->catalog->currency();
		$variants = array();
		$images   = $this->product_images( $product );
		if ( $product->is_type( 'variable' ) ) {
			foreach ( $this->catalog->variations( $product ) as $variation ) {
				// A disabled variation ("Enabled" unticked) is stored with status private: not for sale.
				if ( 'publish' !== $variation->get_status() ) {
					continue;
				}
				$variant    = $this->variant( $variation, $product, $currency );
				$variants[] = $variant;
				if ( null !== $variant['image_url'] && ! in_array( $variant['image_url'], array_column( $images, 'url' ), true ) ) {
					$images[] = array(
						'url' => $variant['image_url'],
						'alt' => (string) $variation->get_name(),
					);
				}
			}
		} else {
			$variants[] = $this->variant( $product, null, $currency );
		}

		$description = (string) $product->get_description();
		if ( '' === trim( $description ) ) {
			$description = (string) $product->get_short_description();
		}

		return array(
			'id'                     => (string) $product->get_id(),
			'version'                => $this->clock->next(),
			'status'                 => self::status( $product->get_status() ),
			'title'                  => html_entity_decode( (string) $product->get_name(), ENT_QUOTES, 'UTF-8' ),
			'description_html'       => $description,
			'short_description_html' => (string) $product->get_short_description(),
			'url'                    => $this->catalog->permalink( $product ),
			'sku'                    => (string) $product->get_sku(),
			'type'                   => (string) $product->get_type(),
			'brand'                  => $this->catalog->brand( $product->get_id() ),
			'categories'             => $this->catalog->categories( array_map( 'intval', (array) $product->get_category_ids() ) ),
			'images'                 => $images,
			'attributes'             => $this->plain_attributes( $product ),
			'weight'                 => $this->weight( $product->get_weight( 'edit' ) ),
			'dimensions'             => $this->dimensions( $product->get_length( 'edit' ), $product->get_width( 'edit' ), $product->get_height( 'edit' ) ),
			'variants'               => $variants,
			'prices_include_tax'     => self::prices_include_tax(),
			'tax_class'              => (string) $product->get_tax_class( 'edit' ),
		);
	}

	/**
	 * Whether the store's prices include tax: with taxes off they are what buyers pay; with taxes on,
	 * WooCommerce's "Prices entered with tax" setting says (docs/canonical-data.md, VAT).
	 *
	 * @return bool
	 */
	public static function prices_include_tax() {
		if ( ! function_exists( 'wc_tax_enabled' ) || ! wc_tax_enabled() ) {
			return true;
		}
		return (bool) wc_prices_include_tax();
	}

	/**
	 * One inventory.update item for a simple product or a variation.
	 *
	 * @param \WC_Product $product Simple product or variation.
	 * @return array{product_id:string,variant_id:string,quantity:int,price:string|null,version:int}
	 */
	public function inventory_item( $product ) {
		$product_id = $product->is_type( 'variation' ) ? $product->get_parent_id() : $product->get_id();
		return array(
			'product_id' => (string) $product_id,
			'variant_id' => (string) $product->get_id(),
			'quantity'   => $this->quantity( $product ),
			'price'      => self::money( $product->get_price() ),
			'version'    => $this->clock->next(),
		);
	}

	/**
	 * Canonical status of a post status.
	 *
	 * @param string $post_status WordPress post status.
	 * @return string active|draft|archived
	 */
	public static function status( $post_status ) {
		if ( 'publish' === $post_status ) {
			return 'active';
		}
		return 'trash' === $post_status ? 'archived' : 'draft';
	}

	/**
	 * A decimal string, or null for an empty or non-numeric value.
	 *
	 * @param mixed $value Stored value.
	 * @return string|null
	 */
	public static function money( $value ) {
		$value = trim( (string) $value );
		if ( '' === $value || ! is_numeric( $value ) ) {
			return null;
		}
		return number_format( (float) $value, 2, '.', '' );
	}

	/**
	 * Barcode digits and their type, from WooCommerce's field or common plugin meta.
	 *
	 * @param \WC_Product $product Product or variation.
	 * @return array{0:string|null,1:string|null} Code and type (EAN, UPC, GTIN, ISBN).
	 */
	public static function barcode( $product ) {
		$code = '';
		$key  = '';
		if ( is_callable( array( $product, 'get_global_unique_id' ) ) ) {
			$code = trim( (string) $product->get_global_unique_id( 'edit' ) );
			$key  = '_global_unique_id';
		}
		if ( '' === $code ) {
			$keys = function_exists( 'apply_filters' ) ? apply_filters( 'tts_sync_barcode_meta_keys', self::BARCODE_META_KEYS ) : self::BARCODE_META_KEYS;
			foreach ( (array) $keys as $meta_key ) {
				// Since WooCommerce 9.1 _global_unique_id is a prop's own key, read above; get_meta() on it
				// is a "called incorrectly" notice on every save.
				if ( '_global_unique_id' === $meta_key && '_global_unique_id' === $key ) {
					continue;
				}
				$candidate = trim( (string) $product->get_meta( $meta_key, true, 'edit' ) );
				if ( '' !== $candidate ) {
					$code = $candidate;
					$key  = $meta_key;
					break;
				}
			}
		}
		if ( '' === $code ) {
			return array( null, null );
		}
		$digits = preg_replace( '/[\s-]+/', '', $code );
		if ( ! preg_match( '/^\d+$/', $digits ) ) {
			return array( $code, null );
		}
		if ( '_isbn' === $key ) {
			return array( $digits, 'ISBN' );
		}
		$types = array(
			8  => 'EAN',
			12 => 'UPC',
			13 => 'EAN',
			14 => 'GTIN',
		);
		return array( $digits, isset( $types[ strlen( $digits ) ] ) ? $types[ strlen( $digits ) ] : null );
	}

	/**
	 * One variant.
	 *
	 * @param \WC_Product      $item     Simple product or variation.
	 * @param \WC_Product|null $parent   Parent for a variation.
	 * @param string           $currency Store currency.
	 * @return array
	 */
	private function variant( $item, $parent, $currency ) {
		list( $barcode, $barcode_type ) = self::barcode( $item );
		$price                          = self::money( $item->get_price() );
		$regular                        = self::money( $item->get_regular_price() );
		$is_variation                   = null !== $parent;
		$image                          = $is_variation ? $this->catalog->image( (int) $item->get_image_id( 'edit' ) ) : null;
		return array(
			'id'               => (string) $item->get_id(),
			'sku'              => (string) $item->get_sku(),
			'price'            => $price,
			'compare_at_price' => ( null !== $regular && null !== $price && $item->is_on_sale() && (float) $regular > (float) $price ) ? $regular : null,
			'currency'         => $currency,
			'quantity'         => $this->quantity( $item ),
			'manage_stock'     => (bool) $item->managing_stock(),
			'stock_status'     => (string) $item->get_stock_status(),
			'options'          => $is_variation ? $this->variation_options( $item, $parent ) : new \stdClass(),
			'barcode'          => $barcode,
			'barcode_type'     => $barcode_type,
			'image_url'        => $image ? $image['url'] : null,
			'weight'           => $is_variation ? $this->weight( $item->get_weight( 'edit' ) ) : null,
			'dimensions'       => $is_variation ? $this->dimensions( $item->get_length( 'edit' ), $item->get_width( 'edit' ), $item->get_height( 'edit' ) ) : null,
			// A variation's own tax class ("parent": the product's), only where it differs.
			'tax_class'        => ( $is_variation && 'parent' !== $item->get_tax_class( 'edit' ) ) ? (string) $item->get_tax_class( 'edit' ) : null,
		);
	}

	/**
	 * Sellable quantity: the stock when managed (never negative), otherwise a stand-in from the stock status.
	 *
	 * @param \WC_Product $item Product or variation.
	 * @return int
	 */
	private function quantity( $item ) {
		if ( $item->managing_stock() ) {
			return max( 0, (int) $item->get_stock_quantity() );
		}
		if ( 'outofstock' === $item->get_stock_status() ) {
			return 0;
		}
		return (int) apply_filters( 'tts_sync_unmanaged_stock_quantity', self::UNMANAGED_IN_STOCK_QUANTITY, $item );
	}

	/**
	 * Main image, gallery images, in that order, without repeats.
	 *
	 * @param \WC_Product $product Product.
	 * @return array[]
	 */
	private function product_images( $product ) {
		$ids    = array_merge( array( (int) $product->get_image_id( 'edit' ) ), array_map( 'intval', (array) $product->get_gallery_image_ids( 'edit' ) ) );
		$images = array();
		foreach ( array_unique( array_filter( $ids ) ) as $id ) {
			$image = $this->catalog->image( $id );
			if ( $image ) {
				$images[] = $image;
			}
		}
		return $images;
	}

	/**
	 * Attributes that are not used for variations, as "Label" => "value, value".
	 *
	 * @param \WC_Product $product Product.
	 * @return array<string,string>|\stdClass An object when empty, so it encodes as {}.
	 */
	private function plain_attributes( $product ) {
		$out         = array();
		$is_variable = $product->is_type( 'variable' );
		foreach ( (array) $product->get_attributes() as $attribute ) {
			if ( ! is_object( $attribute ) || ( $is_variable && $attribute->get_variation() ) ) {
				continue;
			}
			$values = $attribute->is_taxonomy()
				? $this->catalog->term_names( $attribute->get_name(), array_map( 'intval', (array) $attribute->get_options() ) )
				: array_map( 'strval', (array) $attribute->get_options() );
			if ( $values ) {
				$out[ $this->catalog->attribute_label( $attribute->get_name(), $product ) ] = implode( ', ', $values );
			}
		}
		return $out ? $out : new \stdClass();
	}

	/**
	 * A variation's option values, labelled as the shopper sees them ("Size" => "M").
	 *
	 * @param \WC_Product $variation Variation.
	 * @param \WC_Product $parent    Parent product.
	 * @return array<string,string>|\stdClass
	 */
	private function variation_options( $variation, $parent ) {
		$labels = array();
		foreach ( (array) $parent->get_attributes() as $attribute ) {
			if ( ! is_object( $attribute ) ) {
				continue;
			}
			$name = $attribute->get_name();
			$key  = $attribute->is_taxonomy() ? $name : $this->catalog->attribute_slug( $name );
			$labels[ $key ] = array( $attribute->is_taxonomy(), $attribute->is_taxonomy() ? $this->catalog->attribute_label( $name, $parent ) : $name );
		}
		$out = array();
		foreach ( (array) $variation->get_attributes() as $key => $value ) {
			$key = (string) $key;
			if ( isset( $labels[ $key ] ) ) {
				list( $is_taxonomy, $label ) = $labels[ $key ];
			} else {
				$is_taxonomy = 0 === strpos( $key, 'pa_' );
				$label       = $this->catalog->attribute_label( $key, $parent );
			}
			// An empty value means "Any <label>" in WooCommerce; it is sent as is for the hub to flag.
			$out[ $label ] = ( $is_taxonomy && '' !== (string) $value ) ? $this->catalog->term_name_by_slug( $key, (string) $value ) : (string) $value;
		}
		return $out ? $out : new \stdClass();
	}

	/**
	 * Weight with its unit, or null when not set.
	 *
	 * @param mixed $value Stored weight.
	 * @return array{value:string,unit:string}|null
	 */
	private function weight( $value ) {
		$number = self::decimal( $value );
		if ( null === $number ) {
			return null;
		}
		return array(
			'value' => $number,
			'unit'  => $this->catalog->weight_unit(),
		);
	}

	/**
	 * Length, width and height with their unit, or null when none is set.
	 *
	 * @param mixed $length Length.
	 * @param mixed $width  Width.
	 * @param mixed $height Height.
	 * @return array|null
	 */
	private function dimensions( $length, $width, $height ) {
		$unit   = $this->catalog->dimension_unit();
		$factor = 1.0;
		if ( 'yd' === $unit ) {
			$unit   = 'in';
			$factor = 36.0;
		}
		$values = array(
			'length' => self::decimal( $length, $factor ),
			'width'  => self::decimal( $width, $factor ),
			'height' => self::decimal( $height, $factor ),
		);
		if ( null === $values['length'] && null === $values['width'] && null === $values['height'] ) {
			return null;
		}
		$values['unit'] = $unit;
		return $values;
	}

	/**
	 * A plain decimal string without trailing zeros, or null.
	 *
	 * @param mixed $value  Stored value.
	 * @param float $factor Unit conversion factor.
	 * @return string|null
	 */
	private static function decimal( $value, $factor = 1.0 ) {
		$value = str_replace( ',', '.', trim( (string) $value ) );
		if ( '' === $value || ! is_numeric( $value ) ) {
			return null;
		}
		$formatted = rtrim( rtrim( number_format( (float) $value * $factor, 4, '.', '' ), '0' ), '.' );
		return '' === $formatted ? '0' : $formatted;
	}
}
