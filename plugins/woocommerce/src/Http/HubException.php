<?php
/**
 * Error raised by the hub client.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Http;

defined( 'ABSPATH' ) || exit;

/**
 * A failed call to the hub, with the hub's error code so callers can decide whether to retry.
 */
class HubException extends \RuntimeException {

	/**
	 * HTTP status (0 when no response arrived).
	 *
	 * @var int
	 */
	private $status;

	/**
	 * The hub's snake_case error code, or a local one ("unreachable", "invalid_response").
	 *
	 * @var string
	 */
	private $error_code;

	/**
	 * Seconds the hub asked us to wait (Retry-After), or 0.
	 *
	 * @var int
	 */
	private $retry_after;

	/**
	 * Constructor.
	 *
	 * @param string $message     Human sentence.
	 * @param int    $status      HTTP status or 0.
	 * @param string $error_code  Error code.
	 * @param int    $retry_after Retry-After seconds.
	 */
	public function __construct( $message, $status = 0, $error_code = '', $retry_after = 0 ) {
		parent::__construct( (string) $message );
		$this->status      = (int) $status;
		$this->error_code  = (string) $error_code;
		$this->retry_after = (int) $retry_after;
	}

	/**
	 * HTTP status or 0.
	 *
	 * @return int
	 */
	public function status() {
		return $this->status;
	}

	/**
	 * Error code.
	 *
	 * @return string
	 */
	public function error_code() {
		return $this->error_code;
	}

	/**
	 * Retry-After seconds, 0 when the hub gave none.
	 *
	 * @return int
	 */
	public function retry_after() {
		return $this->retry_after;
	}

	/**
	 * Whether trying the same call later can succeed (no answer, 5xx, 429, 408).
	 *
	 * @return bool
	 */
	public function is_retryable() {
		return 0 === $this->status || 429 === $this->status || 408 === $this->status || $this->status >= 500;
	}

	/**
	 * Whether the hub refused our credentials.
	 *
	 * @return bool
	 */
	public function is_auth_failure() {
		return 401 === $this->status || 403 === $this->status;
	}
}
