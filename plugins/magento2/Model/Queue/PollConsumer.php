<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Queue;

use TikTokShopSync\Connector\Api\CommandRunnerInterface;
use TikTokShopSync\Connector\Model\Outbox\Pusher;

/**
 * Consumer of the tiktokshop.commands.poll topic: a signed wake-up from the hub publishes the
 * website id, and this polls that website at once (bin/magento queue:consumers:start
 * tiktokshop.commands, or Magento's consumers_runner cron).
 */
class PollConsumer
{
    public function __construct(
        private readonly CommandRunnerInterface $runner,
        private readonly Pusher $pusher
    ) {
    }

    public function process(string $websiteId): void
    {
        $this->runner->run((int) $websiteId, 0, true);
        // A long-running consumer never reaches shutdown between messages: push now.
        $this->pusher->pushScheduled();
    }
}
