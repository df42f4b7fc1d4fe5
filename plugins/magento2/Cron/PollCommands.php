<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Cron;

use TikTokShopSync\Connector\Api\CommandRunnerInterface;
use TikTokShopSync\Connector\Model\Outbox\Pusher;
use TikTokShopSync\Connector\Model\State\ConnectionStatus;

/**
 * Every minute: long-polls the hub for commands (in the module's own cron group, so the wait holds
 * no other job), then pushes the stock changes the new orders caused.
 */
class PollCommands
{
    public const WAIT = 20;

    public function __construct(
        private readonly CommandRunnerInterface $runner,
        private readonly Pusher $pusher,
        private readonly ConnectionStatus $status
    ) {
    }

    public function execute(): void
    {
        $this->status->recordCronRun();
        $this->runner->run(null, self::WAIT);
        $this->pusher->pushScheduled();
    }
}
