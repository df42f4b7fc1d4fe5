<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Cron;

use TikTokShopSync\Connector\Api\OutboxPusherInterface;
use TikTokShopSync\Connector\Model\State\ConnectionStatus;

/**
 * Every minute: sends what the push after commit could not (hub down, timeouts, backoff over).
 */
class FlushOutbox
{
    public function __construct(
        private readonly OutboxPusherInterface $pusher,
        private readonly ConnectionStatus $status
    ) {
    }

    public function execute(): void
    {
        $this->status->recordCronRun();
        $this->pusher->flush();
    }
}
