<?php
/**
 * The zip a merchant installs carries the shared Extension API client and loads it from inside itself.
 *
 * @package TikTokShopSync\Tests
 */

use PHPUnit\Framework\TestCase;

class PackageTest extends TestCase {

	private static $dir;
	private static $zip;

	public static function setUpBeforeClass(): void {
		self::$dir = sys_get_temp_dir() . '/tts-package-' . getmypid() . '-' . bin2hex( random_bytes( 3 ) );
		mkdir( self::$dir . '/out', 0777, true );
		$plugin = dirname( __DIR__, 2 );
		exec( 'bash ' . escapeshellarg( $plugin . '/bin/build-zip.sh' ) . ' ' . escapeshellarg( self::$dir . '/out' ) . ' 2>&1', $output, $code );
		self::assertSame( 0, $code, implode( "\n", $output ) );
		self::$zip = trim( (string) end( $output ) );
		exec( 'unzip -q ' . escapeshellarg( self::$zip ) . ' -d ' . escapeshellarg( self::$dir . '/site' ) . ' 2>&1', $output, $code );
		self::assertSame( 0, $code, implode( "\n", $output ) );
	}

	public static function tearDownAfterClass(): void {
		exec( 'rm -rf ' . escapeshellarg( self::$dir ) );
	}

	private static function library_files() {
		$root  = dirname( __DIR__, 3 ) . '/extension-client-php/src/';
		$files = array();
		$walk  = new RecursiveIteratorIterator( new RecursiveDirectoryIterator( $root, FilesystemIterator::SKIP_DOTS ) );
		foreach ( $walk as $file ) {
			$files[ substr( $file->getPathname(), strlen( $root ) ) ] = $file->getPathname();
		}
		ksort( $files );
		return $files;
	}

	public function test_the_zip_holds_every_file_of_the_shared_client_unchanged() {
		$files = self::library_files();
		$this->assertArrayHasKey( 'HubClient.php', $files );
		foreach ( $files as $relative => $source ) {
			$shipped = self::$dir . '/site/tiktok-shop-sync/lib/extension-client/src/' . $relative;
			$this->assertFileExists( $shipped );
			$this->assertSame( sha1_file( $source ), sha1_file( $shipped ), $relative . ' is shipped as it is in plugins/extension-client-php' );
		}
		$this->assertFileExists( self::$dir . '/site/tiktok-shop-sync/tiktok-shop-sync.php' );
		$this->assertDirectoryDoesNotExist( self::$dir . '/site/tiktok-shop-sync/tests' );
		$this->assertDirectoryDoesNotExist( self::$dir . '/site/tiktok-shop-sync/lib/extension-client/tests' );
	}

	public function test_the_installed_plugin_loads_the_client_from_its_own_folder() {
		// A fresh PHP process with only the unzipped plugin: no repository next to it to fall back on.
		$plugin = self::$dir . '/site/tiktok-shop-sync/';
		$names  = array();
		foreach ( array_keys( self::library_files() ) as $relative ) {
			$names[] = 'TikTokShopSync\\ExtensionClient\\' . str_replace( '/', '\\', substr( $relative, 0, -4 ) );
		}
		$script = '<?php define( "ABSPATH", "/" ); require ' . var_export( $plugin . 'src/Autoloader.php', true ) . ';'
			. ' $lib = \\TikTokShopSync\\Autoloader::find_library( ' . var_export( $plugin, true ) . ' );'
			. ' \\TikTokShopSync\\Autoloader::register( ' . var_export( $plugin . 'src/', true ) . ', $lib );'
			. ' $out = array( "library" => $lib, "files" => array() );'
			. ' foreach ( ' . var_export( $names, true ) . ' as $name ) { $out["files"][ $name ] = ( class_exists( $name ) || interface_exists( $name ) ) ? ( new ReflectionClass( $name ) )->getFileName() : null; }'
			. ' $out["files"]["TikTokShopSync\\\\Http\\\\WpTransport"] = ( new ReflectionClass( "TikTokShopSync\\\\Http\\\\WpTransport" ) )->getFileName();'
			. ' echo json_encode( $out );';
		file_put_contents( self::$dir . '/probe.php', $script );
		exec( escapeshellarg( PHP_BINARY ) . ' ' . escapeshellarg( self::$dir . '/probe.php' ) . ' 2>&1', $output, $code );
		$this->assertSame( 0, $code, implode( "\n", $output ) );
		$probe = json_decode( implode( "\n", $output ), true );
		$this->assertIsArray( $probe, implode( "\n", $output ) );
		$this->assertSame( $plugin . 'lib/extension-client/src/', $probe['library'] );
		foreach ( $probe['files'] as $name => $file ) {
			$this->assertNotNull( $file, $name . ' loads' );
			$this->assertStringStartsWith( $plugin, $file, $name . ' comes from the installed plugin' );
		}
	}

	public function test_the_plugin_keeps_no_copy_of_a_class_the_shared_client_holds() {
		$shared = array();
		foreach ( array_keys( self::library_files() ) as $relative ) {
			$shared[ basename( $relative, '.php' ) ] = $relative;
		}
		$walk   = new RecursiveIteratorIterator( new RecursiveDirectoryIterator( dirname( __DIR__, 2 ) . '/src', FilesystemIterator::SKIP_DOTS ) );
		$copies = array();
		foreach ( $walk as $file ) {
			if ( isset( $shared[ $file->getBasename( '.php' ) ] ) ) {
				$copies[] = $file->getPathname() . ' (the shared client has ' . $shared[ $file->getBasename( '.php' ) ] . ')';
			}
		}
		$this->assertSame( array(), $copies, 'use TikTokShopSync\\ExtensionClient instead of a copy' );
	}

	public function test_a_checkout_uses_the_client_where_it_lies() {
		$plugin = dirname( __DIR__, 2 );
		$this->assertSame( realpath( $plugin . '/../extension-client-php/src' ) . '/', realpath( \TikTokShopSync\Autoloader::find_library( $plugin ) ) . '/' );
		$this->assertSame( realpath( $plugin . '/../extension-client-php/src/HubClient.php' ), ( new ReflectionClass( \TikTokShopSync\ExtensionClient\HubClient::class ) )->getFileName() );
	}
}
