<?php
/**
 * What the merchant sees in wp-admin.
 *
 * @package TikTokShopSync\Tests
 */

use TikTokShopSync\Admin\AdminActions;
use TikTokShopSync\Admin\ProductStatusColumn;
use TikTokShopSync\Admin\SettingsTab;
use TikTokShopSync\Plugin;

/**
 * Settings tab, Test connection, status column, and the notice when WooCommerce is missing.
 */
class AdminTest extends IntegrationTestCase {

	public function test_settings_tab_never_prints_the_secret_and_keeps_it_when_left_empty() {
		$secret = get_option( 'tts_sync_secret' );
		$tab    = new SettingsTab( Plugin::instance() );
		$this->assertArrayHasKey( 'tiktok_shop', apply_filters( 'woocommerce_settings_tabs_array', array() ) );

		ob_start();
		$tab->output();
		$html = ob_get_clean();
		$this->assertStringContainsString( LiveHub::get()->url, $html, 'the hub URL is shown' );
		$this->assertStringContainsString( 'A secret is saved', $html );
		$this->assertStringNotContainsString( $secret, $html, 'the secret is write-only' );

		$_POST = array( 'tts_sync_hub_url' => LiveHub::get()->url, 'tts_sync_key_id' => LiveHub::get()->key_id, 'tts_sync_secret' => '', 'tts_sync_enabled' => '1' );
		$tab->save();
		$this->assertSame( $secret, get_option( 'tts_sync_secret' ), 'an empty field keeps the stored secret' );

		$_POST['tts_sync_secret'] = 'a-new-secret';
		$tab->save();
		$this->assertSame( 'a-new-secret', get_option( 'tts_sync_secret' ) );
		$this->assertSame( 'no', wp_load_alloptions()['tts_sync_secret'] ?? 'no', 'the secret is not autoloaded' );

		$_POST['tts_sync_secret'] = $secret;
		$tab->save();
		$_POST = array();
		Plugin::instance()->set_transport( $this->http );
		$this->assertSame( $secret, get_option( 'tts_sync_secret' ) );
	}

	public function test_test_connection_pings_the_hub_and_reports_a_wrong_secret_plainly() {
		$actions = new AdminActions( Plugin::instance() );
		$result  = $actions->test_connection();
		$this->assertTrue( $result['ok'], $result['message'] );
		$this->assertStringContainsString( 'Integration test shop', $result['message'] );
		$this->assertGreaterThan( time() - 60, Plugin::instance()->options()->last_contact() );

		$secret = get_option( 'tts_sync_secret' );
		update_option( 'tts_sync_secret', 'wrong' );
		Plugin::instance()->set_transport( $this->http );
		$result = $actions->test_connection();
		update_option( 'tts_sync_secret', $secret );
		Plugin::instance()->set_transport( $this->http );
		$this->assertFalse( $result['ok'] );
		$this->assertStringContainsString( 'X-Hub-Signature', $result['message'], 'the hub says which check failed' );
		$this->assertFalse( get_option( 'tts_sync_connection' )['ok'] );
	}

	public function test_products_list_shows_the_hub_status_and_caches_it_briefly() {
		$product = $this->make_simple_product();
		$this->end_request();
		$this->run_jobs();

		$column  = new ProductStatusColumn( Plugin::instance() );
		$columns = $column->add_column( array( 'name' => 'Name', 'is_in_stock' => 'Stock', 'price' => 'Price' ) );
		$this->assertSame( array( 'name', 'is_in_stock', 'tiktok_status', 'price' ), array_keys( $columns ) );

		$before = count( $this->http->exchanges );
		$cell   = $column->cell( $product->get_id() );
		$hub    = Plugin::instance()->client()->productStatuses( array( $product->get_id() ) );
		$row    = $hub[ (string) $product->get_id() ];
		$this->assertNotEmpty( $row['status'], 'the hub knows the delivered product' );
		$this->assertStringContainsString( '<strong>' . esc_html( $row['status'] ) . '</strong>', $cell );
		$this->assertStringContainsString( esc_html( $row['reason'] ), $cell, 'the reason tells the merchant what to do' );

		$unknown = ( new ProductStatusColumn( Plugin::instance() ) )->cell( 987654 );
		$this->assertStringContainsString( 'Not sent yet', $unknown );

		$again = new ProductStatusColumn( Plugin::instance() );
		$count = count( $this->http->exchanges );
		$this->assertSame( $cell, $again->cell( $product->get_id() ) );
		$this->assertSame( $count, count( $this->http->exchanges ), 'the second page view used the cached answer' );
		$this->assertGreaterThan( $before, $count );
	}

	public function test_without_woocommerce_a_clear_notice_is_shown_and_nothing_runs() {
		$site = rtrim( sys_get_temp_dir(), '/' ) . '/tts-wp-nowc-' . getmypid();
		exec( 'rm -rf ' . escapeshellarg( $site ) );
		mkdir( $site, 0777, true );
		exec( escapeshellarg( PHP_BINARY ) . ' ' . escapeshellarg( __DIR__ . '/install.php' ) . ' ' . escapeshellarg( $site ) . ' --without-woocommerce 2>&1', $out, $code );
		$this->assertSame( 0, $code, implode( "\n", $out ) );
		$this->assertStringContainsString( 'refused: ', implode( "\n", $out ), 'WordPress will not activate the plugin without WooCommerce' );
		exec( escapeshellarg( PHP_BINARY ) . ' ' . escapeshellarg( __DIR__ . '/notices-without-woocommerce.php' ) . ' ' . escapeshellarg( $site ) . ' 2>&1', $html, $code );
		exec( 'rm -rf ' . escapeshellarg( $site ) );
		$html = implode( "\n", $html );
		$this->assertSame( 0, $code, $html );
		$this->assertStringContainsString( 'TikTok Shop Sync needs WooCommerce.', $html );
		$this->assertStringNotContainsString( 'Fatal', $html );
	}

	public function test_uninstall_removes_options_tables_and_jobs() {
		$site = rtrim( sys_get_temp_dir(), '/' ) . '/tts-wp-uninstall-' . getmypid();
		exec( 'rm -rf ' . escapeshellarg( $site ) );
		mkdir( $site, 0777, true );
		exec( escapeshellarg( PHP_BINARY ) . ' ' . escapeshellarg( __DIR__ . '/install.php' ) . ' ' . escapeshellarg( $site ) . ' 2>&1', $out, $code );
		$this->assertSame( 0, $code, implode( "\n", $out ) );
		exec( escapeshellarg( PHP_BINARY ) . ' ' . escapeshellarg( __DIR__ . '/uninstall-site.php' ) . ' ' . escapeshellarg( $site ) . ' 2>&1', $json, $code );
		exec( 'rm -rf ' . escapeshellarg( $site ) );
		$this->assertSame( 0, $code, implode( "\n", $json ) );
		$state = json_decode( end( $json ), true );
		$this->assertNotNull( $state, implode( "\n", $json ) );
		$this->assertCount( 2, $state['before']['tables'], 'the plugin had created its two tables' );
		$this->assertNotEmpty( $state['before']['options'] );
		$this->assertSame( array(), $state['tables'] );
		$this->assertSame( array(), $state['options'] );
		$this->assertFalse( $state['jobs'] );
	}
}
