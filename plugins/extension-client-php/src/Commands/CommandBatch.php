<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Commands;

/**
 * The answer to one GET /commands: the commands, and how long the hub wants the store to wait
 * before it polls again (0 = no request).
 */
final class CommandBatch
{
    /** @var array<int,array<string,mixed>> */
    public $commands;

    /** @var int */
    public $retryAfter;

    /**
     * @param array<int,array<string,mixed>> $commands
     */
    public function __construct(array $commands, int $retryAfter = 0)
    {
        $this->commands = $commands;
        $this->retryAfter = max(0, $retryAfter);
    }
}
