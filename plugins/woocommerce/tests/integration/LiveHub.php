<?php
/**
 * The project's hub, run for real on loopback for the integration tests.
 *
 * @package TikTokShopSync\Tests
 */

/**
 * Starts `hub serve` with a private HUB_DATA_DIR (SQLite + embedded Redis), creates a WooCommerce
 * store connection with `hub store add`, and queues commands with `hub commands create`.
 *
 * To test against a hub started elsewhere, set TTS_HUB_URL, TTS_HUB_KEY_ID, TTS_HUB_SECRET,
 * TTS_HUB_STORE_ID and TTS_HUB_DATA_DIR (for the command-line tools); the hub executable defaults to
 * the project's .venv/bin/hub and can be set with TTS_HUB_BIN.
 */
class LiveHub {

	/** @var LiveHub|null */
	private static $instance = null;
	/** @var string */
	public $url;
	/** @var string */
	public $key_id;
	/** @var string */
	public $secret;
	/** @var string */
	public $store_id;
	/** @var string */
	private $data_dir;
	/** @var string */
	private $bin;
	/** @var int */
	private $port = 0;
	/** @var resource|null */
	private $process = null;
	/** @var bool */
	private $external = false;

	/**
	 * The shared hub, started on first use.
	 *
	 * @return LiveHub
	 */
	public static function get() {
		if ( null === self::$instance ) {
			self::$instance = new self();
		}
		return self::$instance;
	}

	/**
	 * Stops the hub if this process started it.
	 *
	 * @return void
	 */
	public static function stop_all() {
		if ( self::$instance && ! self::$instance->external ) {
			self::$instance->stop();
			if ( ! self::$instance->external && self::$instance->data_dir ) {
				exec( 'rm -rf ' . escapeshellarg( self::$instance->data_dir ) );
			}
		}
	}

	private function __construct() {
		$this->bin = getenv( 'TTS_HUB_BIN' ) ? getenv( 'TTS_HUB_BIN' ) : dirname( __DIR__, 4 ) . '/.venv/bin/hub';
		if ( getenv( 'TTS_HUB_URL' ) ) {
			$this->external = true;
			$this->url      = rtrim( getenv( 'TTS_HUB_URL' ), '/' );
			$this->key_id   = (string) getenv( 'TTS_HUB_KEY_ID' );
			$this->secret   = (string) getenv( 'TTS_HUB_SECRET' );
			$this->store_id = (string) getenv( 'TTS_HUB_STORE_ID' );
			$this->data_dir = (string) getenv( 'TTS_HUB_DATA_DIR' );
			return;
		}
		if ( ! is_executable( $this->bin ) ) {
			throw new RuntimeException( "The hub executable {$this->bin} is missing: install the project (see the repository README) or set TTS_HUB_URL and friends." );
		}
		$this->data_dir = rtrim( sys_get_temp_dir(), '/' ) . '/tts-hub-' . getmypid() . '-' . bin2hex( random_bytes( 3 ) );
		mkdir( $this->data_dir, 0777, true );
		$store          = json_decode( $this->cli( array( 'store', 'add', '--platform', 'woocommerce', '--name', 'Integration test shop' ) ), true );
		$this->key_id   = $store['key_id'];
		$this->secret   = $store['secret'];
		$this->store_id = $store['store_id'];
		$this->port     = self::free_port();
		$this->url      = 'http://127.0.0.1:' . $this->port;
		$this->start();
	}

	/**
	 * Starts (or restarts) `hub serve` on the same port and data.
	 *
	 * @return void
	 */
	public function start() {
		if ( $this->external || $this->process ) {
			return;
		}
		$log           = $this->data_dir . '/serve.log';
		$cmd           = 'exec setsid ' . escapeshellarg( $this->bin ) . ' serve --host 127.0.0.1 --port ' . (int) $this->port . ' >>' . escapeshellarg( $log ) . ' 2>&1';
		$this->process = proc_open( $cmd, array(), $pipes, null, $this->env() );
		$deadline      = microtime( true ) + 60;
		while ( microtime( true ) < $deadline ) {
			$socket = @fsockopen( '127.0.0.1', $this->port, $errno, $errstr, 0.5 ); // phpcs:ignore
			if ( $socket ) {
				fclose( $socket );
				return;
			}
			$status = proc_get_status( $this->process );
			if ( ! $status['running'] ) {
				throw new RuntimeException( 'hub serve exited: ' . file_get_contents( $log ) );
			}
			usleep( 200000 );
		}
		throw new RuntimeException( 'hub serve did not listen within 60 s: ' . file_get_contents( $log ) );
	}

	/**
	 * Stops `hub serve` and every process it started (its process group).
	 *
	 * @return void
	 */
	public function stop() {
		if ( $this->external ) {
			throw new RuntimeException( 'This test stops and restarts the hub; it needs a hub started by the tests (unset TTS_HUB_URL).' );
		}
		if ( ! $this->process ) {
			return;
		}
		$status = proc_get_status( $this->process );
		if ( $status['running'] ) {
			posix_kill( -$status['pid'], SIGTERM );
			$deadline = microtime( true ) + 15;
			while ( microtime( true ) < $deadline && proc_get_status( $this->process )['running'] ) {
				usleep( 100000 );
			}
			if ( proc_get_status( $this->process )['running'] ) {
				posix_kill( -$status['pid'], SIGKILL );
			}
		}
		proc_close( $this->process );
		$this->process = null;
		// The port must be free again before a restart binds it.
		$deadline = microtime( true ) + 10;
		while ( microtime( true ) < $deadline ) {
			$socket = @fsockopen( '127.0.0.1', $this->port, $errno, $errstr, 0.2 ); // phpcs:ignore
			if ( ! $socket ) {
				return;
			}
			fclose( $socket );
			usleep( 100000 );
		}
	}

	/**
	 * Queues a command for the store, as the hub does when a TikTok order arrives.
	 *
	 * @param string $type    Command type.
	 * @param array  $payload Payload.
	 * @return array The CLI's answer (command_id, created, dedupe_key).
	 */
	public function create_command( $type, array $payload ) {
		return json_decode( $this->cli( array( 'commands', 'create', '--store', $this->store_id, '--type', $type, '--payload', wp_json_encode( $payload ) ) ), true );
	}

	/**
	 * Runs the hub command line with this hub's data folder.
	 *
	 * @param string[] $args Arguments.
	 * @return string Standard output.
	 */
	public function cli( array $args ) {
		$cmd  = escapeshellarg( $this->bin ) . ' ' . implode( ' ', array_map( 'escapeshellarg', $args ) );
		$proc = proc_open( $cmd, array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes, null, $this->env() );
		$out  = stream_get_contents( $pipes[1] );
		$err  = stream_get_contents( $pipes[2] );
		fclose( $pipes[1] );
		fclose( $pipes[2] );
		$code = proc_close( $proc );
		if ( 0 !== $code ) {
			throw new RuntimeException( 'hub ' . implode( ' ', $args ) . " failed ({$code}): {$err}" );
		}
		return $out;
	}

	private function env() {
		$env                 = getenv();
		$env['HUB_DATA_DIR'] = $this->data_dir;
		return $env;
	}

	private static function free_port() {
		$socket = stream_socket_server( 'tcp://127.0.0.1:0', $errno, $errstr );
		$name   = stream_socket_get_name( $socket, false );
		fclose( $socket );
		return (int) substr( $name, strrpos( $name, ':' ) + 1 );
	}
}
