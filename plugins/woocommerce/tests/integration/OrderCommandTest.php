<?php
/**
 * Commands from the live hub create, refuse and cancel WooCommerce orders; fulfilment goes back.
 *
 * @package TikTokShopSync\Tests
 */

use TikTokShopSync\Plugin;

/**
 * The store polls the hub, carries out each command and posts its result.
 */
class OrderCommandTest extends IntegrationTestCase {

	private function poll() {
		$summary = Plugin::instance()->run_poll( 0 );
		$this->assertSame( '', $summary['error'] );
		return $summary;
	}

	public function test_order_create_makes_exactly_one_order_even_when_delivered_twice() {
		$product   = $this->make_simple_product( array( 'regular_price' => '12.00', 'stock_quantity' => 10 ) );
		$tiktok_id = '5769' . wp_rand( 100000000, 999999999 );
		$this->end_request();
		$this->run_jobs();

		$order_payload = $this->order_payload( $tiktok_id, array( array( 'product_id' => (string) $product->get_id(), 'variant_id' => (string) $product->get_id(), 'sku' => $product->get_sku(), 'quantity' => 2, 'unit_price' => '9.99' ) ) );
		$created       = LiveHub::get()->create_command( 'order.create', array( 'order' => $order_payload ) );
		$this->assertTrue( $created['created'] );

		$summary = $this->poll();
		$this->assertSame( 1, $summary['received'] );
		$this->assertSame( 1, $summary['done'] );

		$orders = $this->orders_for( $tiktok_id );
		$this->assertCount( 1, $orders );
		$order = wc_get_order( $orders[0] );
		$this->assertSame( 'processing', $order->get_status() );
		$this->assertSame( 'GBP', $order->get_currency() );
		$this->assertSame( '22.48', $order->get_total() );
		$this->assertSame( '2.5', $order->get_shipping_total() );
		$lines = $order->get_items();
		$this->assertCount( 1, $lines );
		$this->assertSame( 2, $lines[0]->get_quantity() );
		$this->assertSame( '19.98', $lines[0]->get_total(), 'the line carries the price TikTok charged, not the store price' );
		$this->assertCount( 1, $order->get_items( 'shipping' ) );
		$this->assertSame( '1 High Street', $order->get_address( 'shipping' )['address_1'] );
		$this->assertSame( 'SW1A 1AA', $order->get_address( 'shipping' )['postcode'] );
		$this->assertSame( 'jane@example.com', $order->get_address( 'billing' )['email'] );
		$this->assertSame( 'tiktok_shop', $order->get_payment_method() );
		$notes = wp_list_pluck( $order->get_customer_order_notes(), 'comment_content' );
		$this->assertNotEmpty( array_filter( $notes, static function ( $n ) use ( $tiktok_id ) { return false !== strpos( $n, $tiktok_id ); } ) );
		$this->assertSame( 8, (int) wc_get_product( $product->get_id() )->get_stock_quantity(), 'WooCommerce reduced stock' );

		$results = $this->posted_results();
		$this->assertCount( 1, $results );
		$this->assertSame( $created['command_id'], $results[0]['command_id'] );
		$this->assertSame( array( 'status' => 'done', 'platform_order_id' => (string) $order->get_order_number() ), $results[0]['body'] );
		$this->assertSame( 200, $results[0]['status'] );

		// The same order handed out again (a second command for it, as after a lost result).
		$again = LiveHub::get()->create_command( 'order.create', array( 'order' => $order_payload ) + array() );
		if ( ! $again['created'] ) {
			$again = json_decode( LiveHub::get()->cli( array( 'commands', 'create', '--store', LiveHub::get()->store_id, '--type', 'order.create', '--payload', wp_json_encode( array( 'order' => $order_payload ) ), '--dedupe-key', 'redelivery-' . $tiktok_id ) ), true );
		}
		$this->poll();
		// And the very same command processed twice, as when a lease expires mid-way.
		Plugin::instance()->processor()->process( array( 'id' => $created['command_id'], 'type' => 'order.create', 'payload' => array( 'order' => $order_payload ) ) );

		$this->assertCount( 1, $this->orders_for( $tiktok_id ), 'still exactly one order' );
		$results = $this->posted_results();
		$this->assertCount( 3, $results );
		foreach ( $results as $result ) {
			$this->assertSame( 'done', $result['body']['status'] );
			$this->assertSame( (string) $order->get_order_number(), $result['body']['platform_order_id'] );
			$this->assertSame( 200, $result['status'] );
		}
		$this->assertSame( 8, (int) wc_get_product( $product->get_id() )->get_stock_quantity(), 'stock reduced once' );

		// The stock change caused by the order reaches the hub as well.
		$this->end_request();
		$this->run_jobs();
		$items = array_merge( array(), ...array_map( static function ( $row ) { return $row['event']['items']; }, $this->answered( 'inventory.update' ) ) );
		$this->assertContains( 8, array_column( $items, 'quantity' ) );
	}

	public function test_a_tiktok_order_looks_like_one_in_the_admin_and_mails_no_buyer() {
		$mails = array();
		$catch = static function ( $pre, $atts ) use ( &$mails ) {
			$mails[] = $atts;
			return true;
		};
		add_filter( 'pre_wp_mail', $catch, 10, 2 );
		// The poll runs inside some request: a cron run, the hub's wake-up call.
		$_SERVER['REMOTE_ADDR']     = '203.0.113.9';
		$_SERVER['HTTP_USER_AGENT'] = 'TikTokShopSync-Hub/1.0';
		$product   = $this->make_simple_product( array( 'stock_quantity' => 10 ) );
		$tiktok_id = '5770' . wp_rand( 100000000, 999999999 );
		$payload   = $this->order_payload( $tiktok_id, array( array( 'product_id' => (string) $product->get_id(), 'variant_id' => (string) $product->get_id(), 'quantity' => 1, 'unit_price' => '9.99' ) ), array( 'created_at' => '2026-11-27T10:00:00Z', 'buyer' => array( 'email' => 'x8f2k@scs.tiktokw.example.invalid' ) ) );
		LiveHub::get()->create_command( 'order.create', array( 'order' => $payload ) );
		$this->poll();
		unset( $_SERVER['REMOTE_ADDR'], $_SERVER['HTTP_USER_AGENT'] );

		$order = wc_get_order( $this->orders_for( $tiktok_id )[0] );
		ob_start();
		WC_Meta_Box_Order_Data::output( $order );
		$header = ob_get_clean();
		$this->assertStringContainsString( 'Payment via TikTok Shop', $header );
		$this->assertArrayNotHasKey( 'tiktok_shop', WC()->payment_gateways()->get_available_payment_gateways(), 'never offered at checkout' );
		$this->assertSame( '', $order->get_customer_ip_address(), 'not the address of the request that ran the poll' );
		$this->assertSame( '', $order->get_customer_user_agent() );
		$this->assertSame( strtotime( '2026-11-27T10:00:00Z' ), $order->get_date_created()->getTimestamp(), 'the order date is when it was placed on TikTok' );
		$notes = implode( "\n", wp_list_pluck( $order->get_customer_order_notes(), 'comment_content' ) );
		$this->assertStringContainsString( 'Imported into the store on ' . gmdate( 'Y-m-d' ), $notes );

		$order->update_status( 'completed' );
		remove_filter( 'pre_wp_mail', $catch, 10 );
		$to_buyer = array_filter( $mails, static function ( $mail ) { return false !== strpos( (string) $mail['to'], 'tiktokw' ); } );
		$this->assertSame( array(), array_values( $to_buyer ), 'no "order received" or "order completed" e-mail to the buyer' );
		$to_admin = array_values( array_filter( $mails, static function ( $mail ) { return get_option( 'admin_email' ) === $mail['to']; } ) );
		$this->assertCount( 1, $to_admin, 'the admin\'s new-order e-mail stays' );
		$this->assertStringContainsString( 'TikTok Shop order ' . $tiktok_id, $to_admin[0]['subject'] );

		// The store's own orders still mail their customers.
		$mails = array();
		add_filter( 'pre_wp_mail', $catch, 10, 2 );
		$own = wc_create_order();
		$own->set_address( array( 'email' => 'customer@example.com' ), 'billing' );
		$own->save();
		$own->update_status( 'processing' );
		remove_filter( 'pre_wp_mail', $catch, 10 );
		$this->assertContains( 'customer@example.com', array_column( $mails, 'to' ) );
	}

	public function test_with_posts_storage_each_tiktok_order_still_gets_its_own_order() {
		// HPOS off: WooCommerce ignores a meta_query there and would hand back any order as "the" order.
		update_option( 'woocommerce_custom_orders_table_enabled', 'no' );
		try {
			$product = $this->make_simple_product( array( 'stock_quantity' => 10 ) );
			$line    = array( array( 'product_id' => (string) $product->get_id(), 'variant_id' => (string) $product->get_id(), 'quantity' => 1, 'unit_price' => '9.99' ) );
			$first   = 'T-CPT-A-' . wp_rand();
			$second  = 'T-CPT-B-' . wp_rand();
			LiveHub::get()->create_command( 'order.create', array( 'order' => $this->order_payload( $first, $line ) ) );
			$this->poll();
			LiveHub::get()->create_command( 'order.create', array( 'order' => $this->order_payload( $second, $line ) ) );
			$this->poll();
			$a = $this->orders_for( $first );
			$b = $this->orders_for( $second );
			$this->assertCount( 1, $a );
			$this->assertCount( 1, $b );
			$this->assertNotSame( $a, $b, 'two TikTok orders, two store orders' );
			$this->assertSame( 8, (int) wc_get_product( $product->get_id() )->get_stock_quantity() );
		} finally {
			update_option( 'woocommerce_custom_orders_table_enabled', 'yes' );
		}
	}

	public function test_failures_are_reported_with_the_documented_reasons() {
		$deleted = $this->make_simple_product();
		$deleted_id = $deleted->get_id();
		wp_delete_post( $deleted_id, true );
		$scarce = $this->make_simple_product( array( 'stock_quantity' => 1 ) );
		$fine   = $this->make_simple_product();
		$this->end_request();
		$this->run_jobs();

		$cases = array(
			'PRODUCT_DELETED' => $this->order_payload( 'T-DEL-' . wp_rand(), array( array( 'product_id' => (string) $deleted_id, 'variant_id' => (string) $deleted_id, 'quantity' => 1, 'unit_price' => '9.99' ) ) ),
			'OUT_OF_STOCK'    => $this->order_payload( 'T-OOS-' . wp_rand(), array( array( 'product_id' => (string) $scarce->get_id(), 'variant_id' => (string) $scarce->get_id(), 'quantity' => 3, 'unit_price' => '9.99' ) ) ),
			'INVALID_ADDRESS' => $this->order_payload( 'T-ADR-' . wp_rand(), array( array( 'product_id' => (string) $fine->get_id(), 'variant_id' => (string) $fine->get_id(), 'quantity' => 1, 'unit_price' => '9.99' ) ), array( 'shipping_address' => array( 'postal_code' => '' ) ) ),
			'MISSING_FIELD'   => $this->order_payload( 'T-MIS-' . wp_rand(), array( array( 'product_id' => (string) $fine->get_id(), 'variant_id' => (string) $fine->get_id(), 'quantity' => 0, 'unit_price' => '9.99' ) ) ),
		);
		$ids = array();
		foreach ( $cases as $reason => $payload ) {
			$ids[ LiveHub::get()->create_command( 'order.create', array( 'order' => $payload ) )['command_id'] ] = array( $reason, $payload['tiktok_order_id'] );
		}
		$summary = $this->poll();
		$this->assertSame( 4, $summary['failed'] );

		foreach ( $this->posted_results() as $result ) {
			list( $reason, $tiktok_id ) = $ids[ $result['command_id'] ];
			$this->assertSame( 200, $result['status'], 'the hub accepted the result' );
			$this->assertSame( 'failed', $result['body']['status'] );
			$this->assertSame( $reason, $result['body']['reason'] );
			$this->assertNotEmpty( $result['body']['message'] );
			$this->assertCount( 0, $this->orders_for( $tiktok_id ), 'no order was left behind' );
		}
		$this->assertSame( 1, (int) wc_get_product( $scarce->get_id() )->get_stock_quantity() );
	}

	public function test_cancel_command_and_completion_with_tracking_number() {
		$product   = $this->make_simple_product( array( 'stock_quantity' => 5 ) );
		$line      = array( array( 'product_id' => (string) $product->get_id(), 'variant_id' => (string) $product->get_id(), 'quantity' => 1, 'unit_price' => '9.99' ) );
		$shipped   = 'T-SHP-' . wp_rand();
		$cancelled = 'T-CAN-' . wp_rand();
		LiveHub::get()->create_command( 'order.create', array( 'order' => $this->order_payload( $shipped, $line ) ) );
		LiveHub::get()->create_command( 'order.create', array( 'order' => $this->order_payload( $cancelled, $line ) ) );
		$this->poll();
		$this->assertSame( 3, (int) wc_get_product( $product->get_id() )->get_stock_quantity() );

		LiveHub::get()->create_command( 'order.cancel', array( 'tiktok_order_id' => $cancelled, 'platform_order_id' => null, 'reason' => 'Buyer changed their mind' ) );
		$this->poll();
		$order = wc_get_order( $this->orders_for( $cancelled )[0] );
		$this->assertSame( 'cancelled', $order->get_status() );
		$this->assertSame( 4, (int) wc_get_product( $product->get_id() )->get_stock_quantity(), 'stock restored' );
		$results = $this->posted_results();
		$this->assertSame( 'done', end( $results )['body']['status'] );

		$order = wc_get_order( $this->orders_for( $shipped )[0] );
		$order->update_meta_data( '_wc_shipment_tracking_items', array( array( 'tracking_provider' => 'royal-mail', 'custom_tracking_provider' => '', 'tracking_number' => 'RM123456789GB', 'date_shipped' => 1795700000 ) ) );
		$order->save();
		$order->update_status( 'completed' );
		$this->end_request();
		$this->run_jobs();

		$fulfilled = $this->answered( 'order.fulfilled' );
		$this->assertCount( 1, $fulfilled );
		$this->assertSame( 'accepted', $fulfilled[0]['result']['status'], wp_json_encode( $fulfilled[0]['result'] ) );
		$this->assertSame( $shipped, $fulfilled[0]['event']['tiktok_order_id'] );
		$this->assertSame( 'RM123456789GB', $fulfilled[0]['event']['tracking_number'] );
		$this->assertSame( 'royal-mail', $fulfilled[0]['event']['carrier'] );
		$this->assertSame( (string) $order->get_order_number(), $fulfilled[0]['event']['platform_order_id'] );
		$this->assertSame( array(), $this->answered( 'order.cancelled' ), 'a cancellation asked by TikTok is not echoed back' );
	}

	public function test_catalog_resend_command_sends_every_product() {
		$a = $this->make_simple_product();
		$b = $this->make_simple_product();
		$this->end_request();
		global $wpdb;
		$wpdb->query( "DELETE FROM {$wpdb->prefix}tts_outbox" );

		LiveHub::get()->create_command( 'catalog.resend', array( 'product_ids' => null ) );
		$this->poll();
		$this->run_jobs( 5 );

		$sent = array_map( static function ( $row ) { return $row['event']['product']['id']; }, $this->answered( 'product.upsert' ) );
		$this->assertContains( (string) $a->get_id(), $sent );
		$this->assertContains( (string) $b->get_id(), $sent );
		$this->assertSame( 'done', get_option( 'tts_sync_catalog_progress' )['state'] );
		$this->assertNotEmpty( $this->answered( 'store.update' ) );
		$this->assertSame( 'accepted', $this->answered( 'store.update' )[0]['result']['status'] );
	}
}
