<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Commands;

use TikTokShopSync\ExtensionClient\HubClient;
use TikTokShopSync\ExtensionClient\HubException;
use TikTokShopSync\ExtensionClient\Support\StateStore;

/**
 * One poll: long-polls GET /commands, runs each command, and asks again while full pages come back
 * (a bounded number of rounds), under a lock so cron, a queue consumer, the command line and a
 * wake-up never work the same list twice.
 *
 * When the hub asks the store to wait (Retry-After on the commands answer or on a 429, or a
 * retry_after field), the time is kept in the state store and scheduled polls before it are
 * skipped; a wake-up from the hub polls anyway, since the hub itself asked for it.
 */
class CommandPoller
{
    public const MAX_ROUNDS = 5;
    public const STATE_NOT_BEFORE = 'poll_not_before';
    public const MAX_WAIT_REQUESTED = 3600;

    /** @var HubClient */
    private $client;

    /** @var CommandProcessor */
    private $processor;

    /** @var CommandLock|null */
    private $lock;

    /** @var StateStore */
    private $state;

    /** @var callable|null */
    private $onContact;

    /** @var callable(): int */
    private $clock;

    /**
     * @param callable|null $onContact Called with (bool ok, string message) after each exchange with the hub.
     * @param callable|null $clock     Returns Unix seconds.
     */
    public function __construct(
        HubClient $client,
        CommandProcessor $processor,
        StateStore $state,
        ?CommandLock $lock = null,
        ?callable $onContact = null,
        ?callable $clock = null
    ) {
        $this->client = $client;
        $this->processor = $processor;
        $this->state = $state;
        $this->lock = $lock;
        $this->onContact = $onContact;
        $this->clock = $clock ?? 'time';
    }

    /**
     * Seconds until the hub allows the next scheduled poll (0 = now).
     */
    public function waitRequested(): int
    {
        $notBefore = (int) $this->state->get(self::STATE_NOT_BEFORE);
        return max(0, $notBefore - (int) call_user_func($this->clock));
    }

    /**
     * @param int  $wait  Long-poll seconds of the first request.
     * @param int  $limit Commands per request.
     * @param bool $force Poll even while the hub asked to wait (a signed wake-up, a merchant's click).
     * @return array{received:int,done:int,failed:int,deferred:int,error:string,skipped:string,retry_after:int}
     */
    public function poll(int $wait = 0, int $limit = 10, bool $force = false): array
    {
        $summary = [
            'received' => 0,
            'done' => 0,
            'failed' => 0,
            'deferred' => 0,
            'error' => '',
            'skipped' => '',
            'retry_after' => 0,
        ];
        if (!$force && ($left = $this->waitRequested()) > 0) {
            $summary['skipped'] = 'The hub asked to wait ' . $left . ' s before the next poll.';
            $summary['retry_after'] = $left;
            return $summary;
        }
        if ($this->lock && !$this->lock->acquire()) {
            $summary['skipped'] = 'Another poll is running.';
            return $summary;
        }
        try {
            for ($round = 0; $round < self::MAX_ROUNDS; $round++) {
                $batch = $this->client->fetchCommands(0 === $round ? $wait : 0, $limit);
                $this->notify(true, '');
                $this->rememberWait($batch->retryAfter);
                $summary['retry_after'] = $batch->retryAfter;
                $summary['received'] += count($batch->commands);
                foreach ($batch->commands as $command) {
                    $result = $this->processor->process($command);
                    if (null === $result) {
                        ++$summary['deferred'];
                    } elseif ('done' === $result['status']) {
                        ++$summary['done'];
                    } else {
                        ++$summary['failed'];
                    }
                }
                if (count($batch->commands) < $limit || $batch->retryAfter > 0) {
                    break;
                }
            }
        } catch (HubException $e) {
            $summary['error'] = $e->getMessage();
            if ($e->retryAfter() > 0) {
                $this->rememberWait($e->retryAfter());
                $summary['retry_after'] = $e->retryAfter();
            }
            $this->notify(false, $e->getMessage());
        } finally {
            if ($this->lock) {
                $this->lock->release();
            }
        }
        return $summary;
    }

    private function rememberWait(int $seconds): void
    {
        $seconds = min(self::MAX_WAIT_REQUESTED, max(0, $seconds));
        $this->state->set(self::STATE_NOT_BEFORE, $seconds > 0 ? (int) call_user_func($this->clock) + $seconds : 0);
    }

    private function notify(bool $ok, string $message): void
    {
        if ($this->onContact) {
            call_user_func($this->onContact, $ok, $message);
        }
    }
}
