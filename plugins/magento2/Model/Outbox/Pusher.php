<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Outbox;

use TikTokShopSync\Connector\Api\OutboxPusherInterface;
use TikTokShopSync\Connector\Model\Catalog\ProductEvents;
use TikTokShopSync\Connector\Model\Config;
use TikTokShopSync\Connector\Model\Hub\ClientFactory;
use TikTokShopSync\Connector\Model\State\ConnectionStatus;
use TikTokShopSync\ExtensionClient\Outbox\OutboxFlusher;

/**
 * Sends the outbox. After a commit the push is scheduled for the end of the request: the shopper's
 * or admin's answer has gone by then (fastcgi_finish_request), every change of the request has
 * been folded into one row per product, and the push is bounded (short timeout, two batches).
 * Whatever could not be sent waits for the one-minute cron.
 */
class Pusher implements OutboxPusherInterface
{
    public const PUSH_TIMEOUT = 5.0;
    public const PUSH_BATCHES = 2;

    private bool $scheduled = false;
    private bool $shutdownRegistered = false;

    public function __construct(
        private readonly Config $config,
        private readonly OutboxTable $table,
        private readonly ClientFactory $clients,
        private readonly ProductEvents $productEvents,
        private readonly ConnectionStatus $status
    ) {
    }

    public function pushSoon(): void
    {
        $this->scheduled = true;
        if (!$this->shutdownRegistered) {
            $this->shutdownRegistered = true;
            register_shutdown_function([$this, 'pushScheduled']);
        }
    }

    /**
     * Runs the push that pushSoon() scheduled (at shutdown; long-running processes may call it sooner).
     *
     * @return array<int,array<string,mixed>>
     */
    public function pushScheduled(): array
    {
        if (!$this->scheduled) {
            return [];
        }
        $this->scheduled = false;
        if ('fpm-fcgi' === PHP_SAPI && function_exists('fastcgi_finish_request')) {
            fastcgi_finish_request();
        }
        $out = [];
        foreach ($this->config->enabledWebsiteIds() as $websiteId) {
            try {
                if ($this->table->hasDue($websiteId)) {
                    $out[$websiteId] = $this->flushWebsite($websiteId, self::PUSH_TIMEOUT, self::PUSH_BATCHES);
                }
            } catch (\Throwable $e) {
                // Never let a push break the end of a request; the cron retries.
                $out[$websiteId] = ['error' => $e->getMessage()];
            }
        }
        return $out;
    }

    public function flush(?int $websiteId = null): array
    {
        $out = [];
        $websites = null === $websiteId ? $this->config->enabledWebsiteIds() : [$websiteId];
        foreach ($websites as $id) {
            if ($this->config->isEnabled($id)) {
                $out[$id] = $this->flushWebsite($id, 20.0, OutboxFlusher::MAX_BATCHES);
            }
        }
        return $out;
    }

    /**
     * @return array{delivered:int,rejected:int,deferred:int,error:string}
     */
    private function flushWebsite(int $websiteId, float $timeout, int $batches): array
    {
        $flusher = new OutboxFlusher(
            new WebsiteOutbox($this->table, $this->productEvents, $websiteId),
            $this->clients->forWebsite($websiteId),
            function (bool $ok, string $message) use ($websiteId): void {
                $this->status->recordContact($websiteId, $ok, $message);
            },
            $timeout,
            $batches
        );
        return $flusher->flush();
    }
}
