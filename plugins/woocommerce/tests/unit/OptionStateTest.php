<?php
/**
 * The shared client's state kept in wp_options: it outlives the request and uninstall removes it.
 *
 * @package TikTokShopSync\Tests
 */

use PHPUnit\Framework\TestCase;
use TikTokShopSync\ExtensionClient\Commands\CommandPoller;
use TikTokShopSync\ExtensionClient\Commands\CommandProcessor;
use TikTokShopSync\ExtensionClient\Events\VersionClock;
use TikTokShopSync\ExtensionClient\HubClient;
use TikTokShopSync\ExtensionClient\Signer;
use TikTokShopSync\OptionState;
use TikTokShopSync\Options;

class OptionStateTest extends TestCase {

	protected function setUp(): void {
		$GLOBALS['tts_test_options'] = array();
	}

	public function test_versions_keep_increasing_in_the_next_request_even_if_the_clock_went_back() {
		$first = ( new VersionClock( new OptionState(), static function () { return 5000; } ) )->next();
		// The next request builds a new clock; the server's clock now reads earlier.
		$second = ( new VersionClock( new OptionState(), static function () { return 4000; } ) )->next();
		$this->assertSame( 5000, $first );
		$this->assertSame( 5001, $second );
		$this->assertSame( 5001, get_option( Options::LAST_VERSION ) );
	}

	public function test_the_hubs_request_to_wait_holds_for_the_next_scheduled_poll_but_not_a_wake_up() {
		$transport            = new FakeTransport();
		$transport->answers[] = FakeTransport::json( 200, array( 'commands' => array() ), array( 'retry-after' => '120' ) );
		$client               = new HubClient( 'http://hub', new Signer( 'k', 's' ), $transport );
		$poll                 = static function () use ( $client ) {
			// A new request: new objects, only the options carry over.
			return new CommandPoller( $client, new CommandProcessor( $client, 'WooCommerce' ), new OptionState() );
		};
		$this->assertSame( 120, $poll()->poll()['retry_after'] );
		$this->assertGreaterThan( time(), (int) get_option( Options::POLL_NOT_BEFORE ) );

		$skipped = $poll()->poll();
		$this->assertNotSame( '', $skipped['skipped'] );
		$this->assertCount( 1, $transport->requests, 'the scheduled poll did not call the hub' );

		$transport->answers[] = FakeTransport::json( 200, array( 'commands' => array() ) );
		$this->assertSame( '', $poll()->poll( 0, 10, true )['skipped'] );
		$this->assertCount( 2, $transport->requests, 'a wake-up polls anyway' );
	}

	public function test_every_name_the_client_stores_is_an_option_uninstall_removes() {
		foreach ( array( CommandPoller::STATE_NOT_BEFORE, VersionClock::STATE_LAST ) as $name ) {
			$this->assertContains( OptionState::PREFIX . $name, Options::all_names() );
		}
	}
}
