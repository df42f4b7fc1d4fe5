<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Commands;

/**
 * Thrown by a handler when a command must not be answered yet (another worker is carrying it out):
 * no result is sent, the lease runs out, and the hub hands the command out again.
 */
class CommandDeferred extends \RuntimeException
{
}
