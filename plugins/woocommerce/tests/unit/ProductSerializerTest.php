<?php
/**
 * Canonical product (docs/canonical-data.md).
 *
 * @package TikTokShopSync\Tests
 */

use PHPUnit\Framework\TestCase;
use TikTokShopSync\Sync\ProductSerializer;
use TikTokShopSync\ExtensionClient\Events\VersionClock;

class ProductSerializerTest extends TestCase {

	private $catalog;
	private $serializer;
	private $ms = 1732700000123;

	protected function setUp(): void {
		$GLOBALS['tts_test_options'] = array();
		$GLOBALS['tts_test_filters'] = array();
		$this->catalog    = new FakeCatalog();
		$this->serializer = new ProductSerializer( $this->catalog, new VersionClock( null, function () { return $this->ms; } ) );
	}

	private function simple( array $props ) {
		$product = new WC_Product_Simple();
		$product->set_id( $props['id'] ?? 88 );
		unset( $props['id'] );
		$product->set_props( array_merge( array( 'name' => 'Men&#8217;s Cotton Socks', 'status' => 'publish', 'regular_price' => '9.99', 'price' => '9.99', 'sku' => 'SOCK-M', 'manage_stock' => true, 'stock_quantity' => 50 ), $props ) );
		return $this->catalog->add( $product );
	}

	public function test_simple_product_becomes_one_variant_with_units_and_categories() {
		$this->catalog->images[7]      = array( 'url' => 'https://shop.example/img/88-1.webp', 'alt' => 'front' );
		$this->catalog->categories[15] = array( 'id' => '15', 'name' => 'Socks', 'path' => array( 'Clothing', 'Socks' ) );
		$this->catalog->brands[88]     = 'Acme';
		$product = $this->simple( array( 'description' => '<p>Soft.</p>', 'weight' => '0.25', 'length' => '20', 'width' => '15', 'height' => '5', 'image_id' => 7, 'category_ids' => array( 15 ), 'global_unique_id' => '5012345678900' ) );

		$p = $this->serializer->serialize( $product );

		$this->assertSame( '88', $p['id'] );
		$this->assertSame( 1732700000123, $p['version'] );
		$this->assertSame( 'active', $p['status'] );
		$this->assertSame( 'Men’s Cotton Socks', $p['title'] );
		$this->assertSame( '<p>Soft.</p>', $p['description_html'] );
		$this->assertSame( 'https://shop.example/p/88', $p['url'] );
		$this->assertSame( 'Acme', $p['brand'] );
		$this->assertSame( array( array( 'id' => '15', 'name' => 'Socks', 'path' => array( 'Clothing', 'Socks' ) ) ), $p['categories'] );
		$this->assertSame( array( array( 'url' => 'https://shop.example/img/88-1.webp', 'alt' => 'front' ) ), $p['images'] );
		$this->assertSame( array( 'value' => '0.25', 'unit' => 'kg' ), $p['weight'] );
		$this->assertSame( array( 'length' => '20', 'width' => '15', 'height' => '5', 'unit' => 'cm' ), $p['dimensions'] );
		$this->assertCount( 1, $p['variants'] );
		$v = $p['variants'][0];
		$this->assertSame( array( '88', 'SOCK-M', '9.99', null, 'GBP', 50, true ), array( $v['id'], $v['sku'], $v['price'], $v['compare_at_price'], $v['currency'], $v['quantity'], $v['manage_stock'] ) );
		$this->assertSame( array( '5012345678900', 'EAN' ), array( $v['barcode'], $v['barcode_type'] ) );
		$this->assertSame( '{}', json_encode( $v['options'] ) );
		$this->assertSame( '{}', json_encode( $p['attributes'] ) );
	}

	public function test_sale_price_is_the_price_and_regular_price_the_compare_at_price() {
		$v = $this->serializer->serialize( $this->simple( array( 'regular_price' => '12', 'sale_price' => '9.5', 'price' => '9.5' ) ) )['variants'][0];
		$this->assertSame( '9.50', $v['price'] );
		$this->assertSame( '12.00', $v['compare_at_price'] );
	}

	public function test_stock_not_managed_uses_the_status_and_negative_stock_is_zero() {
		$in  = $this->simple( array( 'id' => 1, 'manage_stock' => false, 'stock_status' => 'instock' ) );
		$out = $this->simple( array( 'id' => 2, 'manage_stock' => false, 'stock_status' => 'outofstock' ) );
		$neg = $this->simple( array( 'id' => 3, 'stock_quantity' => -4, 'backorders' => 'yes' ) );
		$this->assertSame( 100, $this->serializer->serialize( $in )['variants'][0]['quantity'] );
		$this->assertFalse( $this->serializer->serialize( $in )['variants'][0]['manage_stock'] );
		$this->assertSame( 0, $this->serializer->serialize( $out )['variants'][0]['quantity'] );
		$this->assertSame( 0, $this->serializer->serialize( $neg )['variants'][0]['quantity'] );
	}

	public function test_barcode_falls_back_to_plugin_meta_and_is_typed_by_length() {
		$cases = array(
			array( '_gtin', '0 12345-678905', '012345678905', 'UPC' ),
			array( '_ean', '96385074', '96385074', 'EAN' ),
			array( '_barcode', '10012345678902', '10012345678902', 'GTIN' ),
			array( '_isbn', '978-0-306-40615-7', '9780306406157', 'ISBN' ),
			array( '_ean', 'ABC-1', 'ABC-1', null ),
		);
		foreach ( $cases as $i => list( $key, $stored, $code, $type ) ) {
			$product = $this->simple( array( 'id' => 100 + $i ) );
			$product->update_meta_data( $key, $stored );
			$this->assertSame( array( $code, $type ), ProductSerializer::barcode( $product ), $key );
		}
		$this->assertSame( array( null, null ), ProductSerializer::barcode( $this->simple( array( 'id' => 200 ) ) ) );
	}

	public function test_yards_are_sent_as_inches_and_trash_as_archived() {
		$this->catalog->units = array( 'lb', 'yd' );
		$p = $this->serializer->serialize( $this->simple( array( 'status' => 'trash', 'weight' => '2', 'length' => '1', 'width' => '0.5', 'height' => '' ) ) );
		$this->assertSame( 'archived', $p['status'] );
		$this->assertSame( array( 'value' => '2', 'unit' => 'lb' ), $p['weight'] );
		$this->assertSame( array( 'length' => '36', 'width' => '18', 'height' => null, 'unit' => 'in' ), $p['dimensions'] );
		$this->assertSame( 'draft', ProductSerializer::status( 'pending' ) );
	}

	public function test_variable_product_lists_enabled_variations_with_options_images_and_own_weight() {
		$size = new WC_Product_Attribute();
		$size->set_id( 1 );
		$size->set_name( 'pa_size' );
		$size->set_options( array( 11, 12 ) );
		$size->set_variation( true );
		$fit = new WC_Product_Attribute();
		$fit->set_name( 'Fit' );
		$fit->set_options( array( 'Slim', 'Loose' ) );
		$fit->set_variation( true );
		$material = new WC_Product_Attribute();
		$material->set_name( 'Material' );
		$material->set_options( array( 'Cotton', 'Elastane' ) );

		$parent = new WC_Product_Variable();
		$parent->set_id( 90 );
		$parent->set_props( array( 'name' => 'Tee', 'status' => 'publish', 'attributes' => array( 'pa_size' => $size, 'fit' => $fit, 'material' => $material ), 'weight' => '0.2' ) );
		$this->catalog->add( $parent );
		$this->catalog->images[5] = array( 'url' => 'https://shop.example/tee-l.png', 'alt' => '' );

		$rows = array(
			91 => array( 'publish', array( 'pa_size' => 'm', 'fit' => 'Slim' ), 0, '' ),
			92 => array( 'publish', array( 'pa_size' => 'l', 'fit' => 'Loose' ), 5, '0.3' ),
			93 => array( 'private', array( 'pa_size' => 'xl', 'fit' => 'Slim' ), 0, '' ),
		);
		foreach ( $rows as $id => list( $status, $attributes, $image, $weight ) ) {
			$variation = new WC_Product_Variation();
			$variation->set_id( $id );
			$variation->set_props( array( 'parent_id' => 90, 'status' => $status, 'attributes' => $attributes, 'image_id' => $image, 'weight' => $weight, 'regular_price' => '19.99', 'price' => '19.99', 'manage_stock' => true, 'stock_quantity' => 3, 'sku' => 'TEE-' . $id ) );
			$this->catalog->add( $variation );
		}

		$p = $this->serializer->serialize( $this->catalog->product( 92 ) );

		$this->assertSame( '90', $p['id'], 'a variation is sent as its parent' );
		$this->assertSame( array( 'Material' => 'Cotton, Elastane' ), $p['attributes'] );
		$this->assertSame( array( '91', '92' ), array_column( $p['variants'], 'id' ), 'the disabled variation is left out' );
		$this->assertSame( array( 'Size' => 'M', 'Fit' => 'Slim' ), $p['variants'][0]['options'] );
		$this->assertSame( array( 'Size' => 'L', 'Fit' => 'Loose' ), $p['variants'][1]['options'] );
		$this->assertNull( $p['variants'][0]['image_url'] );
		$this->assertSame( 'https://shop.example/tee-l.png', $p['variants'][1]['image_url'] );
		$this->assertSame( array( 'https://shop.example/tee-l.png' ), array_column( $p['images'], 'url' ) );
		$this->assertNull( $p['variants'][0]['weight'] );
		$this->assertSame( array( 'value' => '0.3', 'unit' => 'kg' ), $p['variants'][1]['weight'] );
	}

	public function test_inventory_item_names_the_parent_and_carries_a_version() {
		$variation = new WC_Product_Variation();
		$variation->set_id( 91 );
		$variation->set_props( array( 'parent_id' => 90, 'price' => '5', 'manage_stock' => true, 'stock_quantity' => 7 ) );
		$item = $this->serializer->inventory_item( $variation );
		$this->assertSame( array( 'product_id' => '90', 'variant_id' => '91', 'quantity' => 7, 'price' => '5.00', 'version' => 1732700000123 ), $item );
	}

	public function test_prices_entered_without_tax_are_flagged_with_the_tax_class() {
		$product = $this->simple( array( 'tax_class' => 'reduced-rate' ) );
		// Taxes off: the prices are what buyers pay.
		$p = $this->serializer->serialize( $product );
		$this->assertTrue( $p['prices_include_tax'] );
		$GLOBALS['tts_test_options']['woocommerce_calc_taxes']         = 'yes';
		$GLOBALS['tts_test_options']['woocommerce_prices_include_tax'] = 'yes';
		$this->assertTrue( $this->serializer->serialize( $product )['prices_include_tax'] );
		$GLOBALS['tts_test_options']['woocommerce_prices_include_tax'] = 'no';
		$p = $this->serializer->serialize( $product );
		$this->assertFalse( $p['prices_include_tax'] );
		$this->assertSame( 'reduced-rate', $p['tax_class'] );
		$this->assertNull( $p['variants'][0]['tax_class'] );
	}

	public function test_a_variation_sends_its_own_tax_class_only_when_it_differs_from_its_parent() {
		$parent = new WC_Product_Variable();
		$parent->set_id( 500 );
		$parent->set_props( array( 'name' => 'Kids Tee', 'status' => 'publish', 'tax_class' => '' ) );
		$this->catalog->add( $parent );
		foreach ( array( 501 => 'parent', 502 => 'zero-rate' ) as $id => $class ) {
			$variation = new WC_Product_Variation();
			$variation->set_id( $id );
			$variation->set_props( array( 'parent_id' => 500, 'status' => 'publish', 'price' => '5.00', 'regular_price' => '5.00', 'sku' => "KT-$id", 'tax_class' => $class ) );
			$this->catalog->add( $variation );
		}
		$p = $this->serializer->serialize( $parent );
		$this->assertSame( '', $p['tax_class'] );
		$this->assertSame( array( null, 'zero-rate' ), array_column( $p['variants'], 'tax_class' ) );
	}
}
