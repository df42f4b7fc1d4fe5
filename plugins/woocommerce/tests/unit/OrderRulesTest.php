<?php
/**
 * Order validation and tracking-number lookup.
 *
 * @package TikTokShopSync\Tests
 */

use PHPUnit\Framework\TestCase;
use TikTokShopSync\ExtensionClient\Commands\CommandFailure;
use TikTokShopSync\Orders\AstProviders;
use TikTokShopSync\Orders\OrderImporter;
use TikTokShopSync\Orders\OrderLocator;
use TikTokShopSync\Orders\OrderMap;
use TikTokShopSync\Orders\OrderStatusNotifier;

class OrderRulesTest extends TestCase {

	private function order( array $overrides = array() ) {
		return array_replace_recursive(
			array(
				'tiktok_order_id'  => '576',
				'currency'         => 'GBP',
				'shipping_address' => array( 'name' => 'Jane Buyer', 'line1' => '1 High St', 'city' => 'London', 'postal_code' => 'SW1A 1AA', 'country_code' => 'GB' ),
				'lines'            => array( array( 'product_id' => '88', 'variant_id' => '91', 'quantity' => 2, 'unit_price' => '9.99' ) ),
				'totals'           => array( 'total' => '19.98' ),
			),
			$overrides
		);
	}

	private function reason_for( array $order ) {
		$db       = new SqliteWpdb();
		$importer = new OrderImporter( new OrderMap( $db ), new OrderLocator( new OrderMap( $db ) ) );
		try {
			$importer->validate( $order );
		} catch ( CommandFailure $e ) {
			return array( $e->reason(), $e->getMessage() );
		}
		return array( null, '' );
	}

	public function test_valid_order_passes() {
		$this->assertSame( array( null, '' ), $this->reason_for( $this->order() ) );
	}

	public function test_each_problem_gets_its_documented_reason_and_names_the_field() {
		$no_lines          = $this->order();
		$no_lines['lines'] = array();
		$this->assertSame( array( 'MISSING_FIELD', 'The order has no lines.' ), $this->reason_for( $no_lines ) );
		$this->assertSame( 'MISSING_FIELD', $this->reason_for( $this->order( array( 'currency' => 'pounds' ) ) )[0] );
		$qty = $this->reason_for( $this->order( array( 'lines' => array( array( 'quantity' => '2' ) ) ) ) );
		$this->assertSame( array( 'MISSING_FIELD', 'Order line 1 has no positive whole quantity.' ), $qty );
		$this->assertSame( 'MISSING_FIELD', $this->reason_for( $this->order( array( 'lines' => array( array( 'product_id' => '', 'variant_id' => '' ) ) ) ) )[0] );
		$this->assertSame( 'MISSING_FIELD', $this->reason_for( $this->order( array( 'totals' => array( 'total' => null ) ) ) )[0] );
		$address = $this->reason_for( $this->order( array( 'shipping_address' => array( 'city' => ' ', 'postal_code' => '' ) ) ) );
		$this->assertSame( array( 'INVALID_ADDRESS', 'The shipping address lacks: city, postal_code.' ), $address );
		$this->assertSame( 'INVALID_ADDRESS', $this->reason_for( $this->order( array( 'shipping_address' => array( 'country_code' => 'United Kingdom' ) ) ) )[0] );
	}

	public function test_order_map_lets_only_one_worker_claim_a_tiktok_order() {
		$map = new OrderMap( new SqliteWpdb() );
		$this->assertTrue( $map->claim( '576' ) );
		$this->assertFalse( $map->claim( '576' ) );
		$this->assertFalse( $map->take_over_stale_claim( '576', 600 ), 'a fresh claim is not taken over' );
		$map->attach( '576', 1234 );
		$this->assertSame( 1234, $map->find( '576' )['order_id'] );
		$map->release( '576' );
		$this->assertNotNull( $map->find( '576' ), 'a claim with an order is never released' );
	}

	public function test_tracking_number_from_shipment_tracking_or_plain_meta() {
		$order = new WC_Order();
		$this->assertNull( OrderStatusNotifier::tracking( $order ) );
		$order->update_meta_data( '_tracking_number', 'DPD123' );
		$this->assertSame( array( 'tracking_number' => 'DPD123', 'carrier' => 'Other', 'shipped_at' => null ), OrderStatusNotifier::tracking( $order ) );
		$order->update_meta_data( '_wc_shipment_tracking_items', array( array( 'tracking_provider' => 'royal-mail', 'custom_tracking_provider' => 'Evri', 'tracking_number' => ' H01 ', 'date_shipped' => '1795700000' ) ) );
		$this->assertSame( array( 'tracking_number' => 'H01', 'carrier' => 'Evri', 'shipped_at' => gmdate( 'c', 1795700000 ) ), OrderStatusNotifier::tracking( $order ) );
	}

	public function test_carriers_of_advanced_shipment_tracking_and_aftership_are_read() {
		$db    = new SqliteWpdb();
		$names = new AstProviders( $db );
		$order = new WC_Order();
		$order->update_meta_data( '_wc_shipment_tracking_items', array( array( 'tracking_provider' => 'dpd-uk', 'tracking_number' => 'JD01', 'date_shipped' => 1795700000, 'status_shipped' => 1, 'tracking_id' => 'a1' ) ) );
		$this->assertSame( 'dpd-uk', OrderStatusNotifier::tracking( $order, array( $names, 'name' ) )['carrier'], 'without AST\'s table the slug is sent (the hub knows it)' );

		$db->query( 'CREATE TABLE wp_woo_shippment_provider (id INTEGER PRIMARY KEY, provider_name TEXT, ts_slug TEXT, custom_provider_name TEXT)' );
		$db->query( "INSERT INTO wp_woo_shippment_provider (provider_name, ts_slug) VALUES ('DPD UK', 'dpd-uk'), ('Speedy Couriers Ltd', 'speedy-couriers-ltd')" );
		$names = new AstProviders( $db );
		$this->assertSame( 'DPD UK', OrderStatusNotifier::tracking( $order, array( $names, 'name' ) )['carrier'] );
		$order->update_meta_data( '_wc_shipment_tracking_items', array( array( 'tracking_provider' => 'speedy-couriers-ltd', 'tracking_number' => 'S1' ) ) );
		$this->assertSame( 'Speedy Couriers Ltd', OrderStatusNotifier::tracking( $order, array( $names, 'name' ) )['carrier'], 'a merchant\'s own AST carrier goes by its name' );

		$aftership = new WC_Order();
		$aftership->update_meta_data( '_aftership_tracking_items', array( array( 'slug' => 'royal-mail', 'tracking_number' => 'RM1GB', 'tracking_ship_date' => '1795700000' ) ) );
		$this->assertSame( array( 'tracking_number' => 'RM1GB', 'carrier' => 'royal-mail', 'shipped_at' => gmdate( 'c', 1795700000 ) ), OrderStatusNotifier::tracking( $aftership ) );
	}
}
