<?php
/**
 * Product changes made in WordPress reach the live hub.
 *
 * @package TikTokShopSync\Tests
 */

/**
 * Saving, editing, trashing and deleting products delivers the matching events, signed and accepted.
 */
class ProductSyncTest extends IntegrationTestCase {

	public function test_plugin_is_loaded_with_hpos_declared_and_tables_created() {
		global $wpdb;
		$compatible = \Automattic\WooCommerce\Utilities\FeaturesUtil::get_compatible_plugins_for_feature( 'custom_order_tables' );
		$this->assertContains( 'tiktok-shop-sync/tiktok-shop-sync.php', $compatible['compatible'] );
		$this->assertSame( $wpdb->prefix . 'tts_outbox', $wpdb->get_var( "SELECT name FROM sqlite_master WHERE type='table' AND name='{$wpdb->prefix}tts_outbox'" ) );
		$this->assertSame( $wpdb->prefix . 'tts_order_map', $wpdb->get_var( "SELECT name FROM sqlite_master WHERE type='table' AND name='{$wpdb->prefix}tts_order_map'" ) );
	}

	public function test_new_product_is_delivered_once_as_the_canonical_product() {
		$product = $this->make_simple_product( array( 'name' => 'Men\'s Cotton Socks', 'regular_price' => '9.99', 'global_unique_id' => '5012345678900' ) );
		// WooCommerce fires woocommerce_update_product more than once per admin save.
		$product->set_stock_quantity( 49 );
		$product->save();
		$this->end_request();

		// Delivered right after the request (here, a command-line run: at its end), not by a job a minute later.
		$this->assertSame( 0, $this->outbox_count(), 'nothing waits for Action Scheduler' );
		$this->assertCount( 1, $this->delivered( 'product.upsert' ) );
		$this->assertCount( 1, $this->delivered( 'inventory.update' ) );
		$this->run_jobs();

		$upserts = $this->delivered( 'product.upsert' );
		$this->assertCount( 1, $upserts );
		$this->assertSame( 'accepted', $upserts[0]['result']['status'], wp_json_encode( $upserts[0]['result'] ) );
		$sent = $upserts[0]['event']['product'];
		$this->assertSame( (string) $product->get_id(), $sent['id'] );
		$this->assertSame( 'Men\'s Cotton Socks', $sent['title'] );
		$this->assertSame( 'active', $sent['status'] );
		$this->assertSame( array( 'value' => '0.25', 'unit' => 'kg' ), $sent['weight'] );
		$this->assertSame( array( 'length' => '20', 'width' => '15', 'height' => '5', 'unit' => 'cm' ), $sent['dimensions'] );
		$this->assertSame( '9.99', $sent['variants'][0]['price'] );
		$this->assertSame( 49, $sent['variants'][0]['quantity'] );
		$this->assertSame( '5012345678900', $sent['variants'][0]['barcode'] );
		$this->assertSame( 'EAN', $sent['variants'][0]['barcode_type'] );
		$this->assertSame( 'GBP', $sent['variants'][0]['currency'] );
		$this->assertSame( 0, $this->outbox_count(), 'nothing is left to deliver' );
	}

	public function test_admin_edit_of_price_sends_the_new_price_with_an_increasing_version() {
		$product = $this->make_simple_product();
		$this->end_request();
		$this->run_jobs();
		$first = $this->delivered( 'inventory.update' );

		// The product edit screen posts the form; WordPress saves the post, WooCommerce the product data.
		$_POST = array(
			'woocommerce_meta_nonce' => wp_create_nonce( 'woocommerce_save_data' ),
			'_regular_price'         => '12.50',
			'_sku'                   => $product->get_sku(),
			'_manage_stock'          => 'yes',
			'_stock'                 => '50',
		);
		wp_update_post( array( 'ID' => $product->get_id(), 'post_title' => 'Cotton Socks' ) );
		$_POST = array();
		$this->end_request();
		$this->run_jobs();

		$upserts = $this->delivered( 'product.upsert' );
		$this->assertSame( '12.50', end( $upserts )['event']['product']['variants'][0]['price'] );
		$inventory = $this->delivered( 'inventory.update' );
		$last      = end( $inventory );
		$this->assertSame( 'accepted', $last['result']['status'], wp_json_encode( $last['result'] ) );
		$this->assertSame( '12.50', $last['event']['items'][0]['price'] );
		$this->assertSame( (string) $product->get_id(), $last['event']['items'][0]['variant_id'] );
		$this->assertGreaterThan( $first[0]['event']['items'][0]['version'], $last['event']['items'][0]['version'] );
	}

	public function test_variable_product_carries_options_variation_images_and_categories() {
		// A global attribute created in this very request (a script, an import): WooCommerce registers
		// its taxonomy only on the next request's init, so the creator registers it to add terms, and
		// wc_attribute_label() does not know it yet. Its label must still be sent, not "pa_size".
		wc_create_attribute( array( 'name' => 'Size', 'slug' => 'size' ) );
		register_taxonomy( 'pa_size', array( 'product' ) );
		$this->assertSame( 'pa_size', wc_attribute_label( 'pa_size' ), 'WooCommerce itself does not know the label yet' );
		$small  = wp_insert_term( 'Small', 'pa_size' );
		$large  = wp_insert_term( 'Large', 'pa_size' );
		$parent = wp_insert_term( 'Clothing', 'product_cat' );
		$child  = wp_insert_term( 'Socks', 'product_cat', array( 'parent' => $parent['term_id'] ) );
		$brand  = wp_insert_term( 'Acme', 'product_brand' );
		$image  = wp_insert_attachment( array( 'post_mime_type' => 'image/webp', 'post_title' => 'large socks', 'guid' => 'http://shop.test/wp-content/uploads/large.webp' ), 'large.webp' );
		update_post_meta( $image, '_wp_attachment_image_alt', 'large pair' );

		$attribute = new WC_Product_Attribute();
		$attribute->set_id( wc_attribute_taxonomy_id_by_name( 'pa_size' ) );
		$attribute->set_name( 'pa_size' );
		$attribute->set_options( array( $small['term_id'], $large['term_id'] ) );
		$attribute->set_variation( true );
		$material = new WC_Product_Attribute();
		$material->set_name( 'Material' );
		$material->set_options( array( 'Cotton' ) );
		$material->set_visible( true );

		$product = new WC_Product_Variable();
		$product->set_props( array( 'name' => 'Sized Socks', 'status' => 'publish', 'sku' => 'SIZED-' . wp_generate_password( 4, false ), 'category_ids' => array( $child['term_id'] ), 'brand_ids' => array( $brand['term_id'] ), 'attributes' => array( $attribute, $material ), 'weight' => '250', 'length' => '' ) );
		$product->save();
		foreach ( array( 'small' => array( '8.00', 0 ), 'large' => array( '9.00', $image ) ) as $slug => $data ) {
			$variation = new WC_Product_Variation();
			$variation->set_props( array( 'parent_id' => $product->get_id(), 'status' => 'publish', 'regular_price' => $data[0], 'manage_stock' => true, 'stock_quantity' => 5, 'attributes' => array( 'pa_size' => $slug ), 'image_id' => $data[1], 'sku' => $product->get_sku() . '-' . $slug ) );
			$variation->save();
		}
		update_option( 'woocommerce_weight_unit', 'g' );
		$this->end_request();
		$this->run_jobs();
		update_option( 'woocommerce_weight_unit', 'kg' );

		$upserts = $this->delivered( 'product.upsert' );
		$this->assertNotEmpty( $upserts );
		$sent = end( $upserts );
		$this->assertSame( 'accepted', $sent['result']['status'], wp_json_encode( $sent['result'] ) );
		$p = $sent['event']['product'];
		$this->assertSame( array( 'Material' => 'Cotton' ), $p['attributes'] );
		$this->assertSame( array( 'value' => '250', 'unit' => 'g' ), $p['weight'] );
		$this->assertSame( array( 'Clothing', 'Socks' ), $p['categories'][0]['path'] );
		$this->assertSame( 'Acme', $p['brand'] );
		$this->assertCount( 2, $p['variants'] );
		$this->assertSame( array( 'Size' => 'Small' ), $p['variants'][0]['options'] );
		$this->assertSame( array( 'Size' => 'Large' ), $p['variants'][1]['options'] );
		$this->assertSame( '9.00', $p['variants'][1]['price'] );
		$this->assertStringEndsWith( 'large.webp', (string) $p['variants'][1]['image_url'] );
		$this->assertNull( $p['variants'][0]['image_url'] );
		$this->assertContains( $p['variants'][1]['image_url'], array_column( $p['images'], 'url' ) );
	}

	public function test_a_sale_sends_only_the_stock_not_the_whole_product() {
		$simple = $this->make_simple_product( array( 'stock_quantity' => 10 ) );
		$colour = new WC_Product_Attribute();
		$colour->set_name( 'Colour' );
		$colour->set_options( array( 'Red', 'Blue' ) );
		$colour->set_variation( true );
		$variable = new WC_Product_Variable();
		$variable->set_props( array( 'name' => 'Scarf', 'status' => 'publish', 'attributes' => array( $colour ) ) );
		$variable->save();
		$red = new WC_Product_Variation();
		$red->set_props( array( 'parent_id' => $variable->get_id(), 'status' => 'publish', 'regular_price' => '12.00', 'manage_stock' => true, 'stock_quantity' => 8, 'attributes' => array( 'colour' => 'Red' ) ) );
		$red->save();
		$this->end_request();
		$this->run_jobs();
		$before = count( $this->delivered( 'product.upsert' ) );

		// What an order's stock reduction does: WooCommerce's stock function saves each product, and
		// at the end of the request re-saves the variable parent to sync its price range.
		wc_update_product_stock( wc_get_product( $simple->get_id() ), 2, 'decrease' );
		wc_update_product_stock( wc_get_product( $red->get_id() ), 3, 'decrease' );
		$this->end_request();
		$this->run_jobs();

		$this->assertSame( $before, count( $this->delivered( 'product.upsert' ) ), 'no product is re-sent in full for a stock change' );
		$items = array();
		foreach ( $this->answered( 'inventory.update' ) as $row ) {
			foreach ( $row['event']['items'] as $item ) {
				$items[ $item['variant_id'] ] = $item['quantity'];
			}
		}
		$this->assertSame( 8, $items[ (string) $simple->get_id() ] );
		$this->assertSame( 5, $items[ (string) $red->get_id() ] );

		// An edit that changes the name and the stock together is still sent in full.
		$edited = wc_get_product( $simple->get_id() );
		$edited->set_name( 'Wool Socks' );
		$edited->set_stock_quantity( 20 );
		$edited->save();
		$this->end_request();
		$upserts = $this->delivered( 'product.upsert' );
		$this->assertSame( 'Wool Socks', end( $upserts )['event']['product']['title'] );
	}

	public function test_trash_restore_and_delete_in_wordpress_reach_the_hub() {
		$product = $this->make_simple_product();
		$this->end_request();
		$this->run_jobs();

		wp_trash_post( $product->get_id() );
		$this->end_request();
		$this->run_jobs();
		$upserts = $this->delivered( 'product.upsert' );
		$this->assertSame( 'archived', end( $upserts )['event']['product']['status'] );

		wp_untrash_post( $product->get_id() );
		$this->end_request();
		$this->run_jobs();
		$upserts = $this->delivered( 'product.upsert' );
		$this->assertNotSame( 'archived', end( $upserts )['event']['product']['status'] );

		wp_delete_post( $product->get_id(), true );
		$this->end_request();
		$this->run_jobs();
		$deletes = $this->delivered( 'product.delete' );
		$this->assertCount( 1, $deletes );
		$this->assertSame( (string) $product->get_id(), $deletes[0]['event']['product_id'] );
		$this->assertSame( 'accepted', $deletes[0]['result']['status'] );
	}

	public function test_hub_down_loses_nothing_and_the_backlog_is_delivered_when_it_returns() {
		LiveHub::get()->stop();
		$product = $this->make_simple_product( array( 'regular_price' => '4.20' ) );
		$this->end_request();
		$this->run_jobs();

		$this->assertSame( 2, $this->outbox_count(), 'both events wait in the outbox' );
		foreach ( $this->delivered() as $attempt ) {
			$this->assertNull( $attempt['result'], 'no event reached the hub while it was down' );
		}
		$connection = get_option( 'tts_sync_connection' );
		$this->assertFalse( $connection['ok'] );
		$this->assertStringContainsString( 'could not be reached', $connection['message'] );

		LiveHub::get()->start();
		// The per-minute poll finds the hub again and releases the backlog from its backoff.
		Plugin_Access::plugin()->run_poll( 0 );
		$this->run_jobs();

		$this->assertSame( 0, $this->outbox_count() );
		$upserts = $this->answered( 'product.upsert' );
		$this->assertSame( 'accepted', $upserts[0]['result']['status'] );
		$this->assertSame( '4.20', $upserts[0]['event']['product']['variants'][0]['price'] );
		$this->assertTrue( get_option( 'tts_sync_connection' )['ok'] );
	}
}

/** Short access to the plugin instance. */
class Plugin_Access {
	public static function plugin() {
		return \TikTokShopSync\Plugin::instance();
	}
}
