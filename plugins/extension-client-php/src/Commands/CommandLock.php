<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Commands;

/**
 * Keeps two pollers of one store connection (cron, consumer, CLI, wake-up) from working the same
 * commands at once. Each platform backs it with its own lock service.
 */
interface CommandLock
{
    /** True when the lock was taken; false when another process holds it. */
    public function acquire(): bool;

    public function release(): void;
}
