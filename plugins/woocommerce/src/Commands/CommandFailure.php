<?php
/**
 * A command the store could not carry out.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Commands;

defined( 'ABSPATH' ) || exit;

/**
 * Carries one of the documented failure reasons back to the hub, with a message the merchant can act on.
 */
class CommandFailure extends \RuntimeException {

	const PRODUCT_DELETED = 'PRODUCT_DELETED';
	const OUT_OF_STOCK    = 'OUT_OF_STOCK';
	const INVALID_ADDRESS = 'INVALID_ADDRESS';
	const MISSING_FIELD   = 'MISSING_FIELD';
	const PLATFORM_ERROR  = 'PLATFORM_ERROR';

	/**
	 * Documented reason.
	 *
	 * @var string
	 */
	private $reason;

	/**
	 * Whether the hub may retry on its own.
	 *
	 * @var bool
	 */
	private $retryable;

	/**
	 * Constructor.
	 *
	 * @param string $reason    One of the constants.
	 * @param string $message   What went wrong and how to fix it.
	 * @param bool   $retryable Whether a later attempt may succeed without the merchant's help.
	 */
	public function __construct( $reason, $message, $retryable = false ) {
		parent::__construct( (string) $message );
		$this->reason    = (string) $reason;
		$this->retryable = (bool) $retryable;
	}

	/**
	 * Documented reason.
	 *
	 * @return string
	 */
	public function reason() {
		return $this->reason;
	}

	/**
	 * Whether the hub may retry on its own.
	 *
	 * @return bool
	 */
	public function retryable() {
		return $this->retryable;
	}

	/**
	 * The result body for POST /commands/{id}/result.
	 *
	 * @return array
	 */
	public function to_result() {
		return array(
			'status'    => 'failed',
			'reason'    => $this->reason,
			'message'   => substr( $this->getMessage(), 0, 2000 ),
			'retryable' => $this->retryable,
		);
	}
}
