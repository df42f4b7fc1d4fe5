<?php
/**
 * A command that another worker is carrying out right now.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Commands;

defined( 'ABSPATH' ) || exit;

/**
 * Thrown when a command must not be answered yet: no result is sent, the lease runs out, and the
 * hub hands the command out again, by which time the other worker has finished.
 */
class CommandDeferred extends \RuntimeException {
}
