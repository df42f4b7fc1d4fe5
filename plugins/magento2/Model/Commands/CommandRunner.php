<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Commands;

use Magento\Framework\Lock\LockManagerInterface;
use TikTokShopSync\Connector\Api\CatalogSenderInterface;
use TikTokShopSync\Connector\Api\CommandRunnerInterface;
use TikTokShopSync\Connector\Api\OutboxPusherInterface;
use TikTokShopSync\Connector\Model\Config;
use TikTokShopSync\Connector\Model\Hub\ClientFactory;
use TikTokShopSync\Connector\Model\Order\OrderCanceller;
use TikTokShopSync\Connector\Model\Order\OrderImporter;
use TikTokShopSync\Connector\Model\Order\OrderRefunder;
use TikTokShopSync\Connector\Model\Outbox\OutboxTable;
use TikTokShopSync\Connector\Model\State\ConnectionStatus;
use TikTokShopSync\Connector\Model\State\FlagStateStore;
use TikTokShopSync\ExtensionClient\Commands\CommandPoller;
use TikTokShopSync\ExtensionClient\Commands\CommandProcessor;

/**
 * Polls each website's hub connection and carries out its commands with the shared client's
 * poller: order.create, order.cancel, order.refund, catalog.resend. A successful poll also makes a backlog left
 * by an outage due at once.
 */
class CommandRunner implements CommandRunnerInterface
{
    public const POLL_LIMIT = 10;

    public function __construct(
        private readonly Config $config,
        private readonly ClientFactory $clients,
        private readonly OrderImporter $importer,
        private readonly OrderCanceller $canceller,
        private readonly OrderRefunder $refunder,
        private readonly CatalogSenderInterface $catalogSender,
        private readonly OutboxPusherInterface $pusher,
        private readonly OutboxTable $outbox,
        private readonly ConnectionStatus $status,
        private readonly FlagStateStore $state,
        private readonly LockManagerInterface $locks
    ) {
    }

    public function run(?int $websiteId = null, int $wait = 0, bool $force = false): array
    {
        $out = [];
        $websites = null === $websiteId ? $this->config->enabledWebsiteIds() : [$websiteId];
        foreach ($websites as $id) {
            if ($this->config->isEnabled($id)) {
                $out[$id] = $this->poller($id)->poll($wait, self::POLL_LIMIT, $force);
            }
        }
        return $out;
    }

    private function poller(int $websiteId): CommandPoller
    {
        $client = $this->clients->forWebsite($websiteId);
        $processor = (new CommandProcessor($client, 'Magento 2'))
            ->on(
                'order.create',
                fn (array $payload): array => $this->importer->import($websiteId, (array) ($payload['order'] ?? []))
            )
            ->on('order.cancel', fn (array $payload): array => $this->canceller->cancel($payload))
            ->on('order.refund', fn (array $payload): array => $this->refunder->refund($payload))
            ->on('catalog.resend', function (array $payload) use ($websiteId): array {
                $ids = isset(
                    $payload['product_ids']
                ) && is_array($payload['product_ids']) ? $payload['product_ids'] : null;
                $this->catalogSender->send($websiteId, $ids);
                $this->pusher->pushSoon();
                return [];
            });
        $contactRecorded = false;
        return new CommandPoller(
            $client,
            $processor,
            $this->state->forWebsite($websiteId),
            new MagentoLock($this->locks, 'tiktokshop_poll_' . $websiteId),
            function (bool $ok, string $message) use ($websiteId, &$contactRecorded): void {
                if (!$ok || !$contactRecorded) {
                    $this->status->recordContact($websiteId, $ok, $message);
                }
                if ($ok && !$contactRecorded) {
                    $contactRecorded = true;
                    if ($this->outbox->releaseBackoff($websiteId) > 0) {
                        $this->pusher->pushSoon();
                    }
                }
            }
        );
    }
}
