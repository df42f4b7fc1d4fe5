<?php
/**
 * Monotonic versions.
 *
 * @package TikTokShopSync\Tests
 */

use PHPUnit\Framework\TestCase;
use TikTokShopSync\Sync\VersionClock;

class VersionClockTest extends TestCase {

	public function test_versions_increase_even_when_the_clock_stands_still_or_goes_back() {
		$GLOBALS['tts_test_options'] = array();
		$now   = 5000;
		$clock = new VersionClock( function () use ( &$now ) { return $now; } );
		$this->assertSame( 5000, $clock->next() );
		$this->assertSame( 5001, $clock->next() );
		$now = 4000;
		$this->assertSame( 5002, $clock->next() );
		$now = 9000;
		$this->assertSame( 9000, $clock->next() );
		// A later request (new instance) continues from the stored value.
		$now = 100;
		$this->assertSame( 9001, ( new VersionClock( function () use ( &$now ) { return $now; } ) )->next() );
	}
}
