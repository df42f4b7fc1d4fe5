<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Outbox;

use TikTokShopSync\ExtensionClient\HubClient;
use TikTokShopSync\ExtensionClient\HubException;

/**
 * Sends due outbox rows in batches and records each event's outcome.
 *
 * Accepted and duplicate events leave the outbox; rejected ones stay, marked, with the hub's reason.
 * When the hub cannot be reached (or answers 5xx/429), the batch waits with an exponential backoff:
 * 30 s doubling up to an hour, or the hub's Retry-After if longer. A batch refused whole (400, 413,
 * 422) is sent one event at a time to isolate the bad event and deliver the rest.
 */
class OutboxFlusher
{
    public const MAX_BATCH = 100;
    public const MAX_BODY_BYTES = 5000000;
    public const MAX_BATCHES = 20;
    public const BASE_DELAY = 30;
    public const MAX_DELAY = 3600;

    /** @var OutboxStore */
    private $outbox;

    /** @var HubClient */
    private $client;

    /** @var callable|null */
    private $onContact;

    /** @var float */
    private $timeout;

    /** @var int */
    private $maxBatches;

    /**
     * @param callable|null $onContact  Called with (bool ok, string message) after each exchange.
     * @param float         $timeout    Seconds per call (short when pushing right after a save).
     * @param int           $maxBatches Batches per run (bounded, so a push after a save stays short).
     */
    public function __construct(
        OutboxStore $outbox,
        HubClient $client,
        ?callable $onContact = null,
        float $timeout = 20.0,
        int $maxBatches = self::MAX_BATCHES
    ) {
        $this->outbox = $outbox;
        $this->client = $client;
        $this->onContact = $onContact;
        $this->timeout = $timeout;
        $this->maxBatches = max(1, $maxBatches);
    }

    /**
     * Seconds to wait after a number of failed attempts, at least what the hub asked for.
     */
    public static function backoff(int $attempts, int $retryAfter = 0): int
    {
        $delay = (int) min(self::MAX_DELAY, self::BASE_DELAY * (2 ** max(0, min(10, $attempts))));
        return max($delay, $retryAfter);
    }

    /**
     * Sends every due event, a bounded number of batches per run.
     *
     * @return array{delivered:int,rejected:int,deferred:int,error:string}
     */
    public function flush(): array
    {
        $summary = ['delivered' => 0, 'rejected' => 0, 'deferred' => 0, 'error' => ''];
        $batchSize = self::MAX_BATCH;
        for ($i = 0; $i < $this->maxBatches; $i++) {
            $rows = self::fitBodyLimit($this->outbox->due($batchSize));
            if (!$rows) {
                break;
            }
            try {
                $results = $this->client->sendEvents(array_map(static function (OutboxRow $row) {
                    return $row->event;
                }, $rows), $this->timeout);
            } catch (HubException $e) {
                if ($e->isRefusal() && count($rows) > 1) {
                    $batchSize = 1;
                    continue;
                }
                if ($e->isRefusal()) {
                    $this->outbox->markRejected($rows[0]->id, $rows[0]->eventId, $e->getMessage());
                    ++$summary['rejected'];
                    continue;
                }
                $this->notify(false, $e->getMessage());
                $attempts = max(array_map(static function (OutboxRow $row): int {
                    return $row->attempts;
                }, $rows));
                $this->outbox->markRetry(array_map(static function (OutboxRow $row): int {
                    return $row->id;
                }, $rows), $e->getMessage(), self::backoff($attempts, $e->retryAfter()));
                $summary['deferred'] += count($rows);
                $summary['error'] = $e->getMessage();
                break;
            }
            $this->notify(true, '');
            foreach ($rows as $index => $row) {
                $result = is_array($results[$index] ?? null) ? $results[$index] : [];
                $status = (string) ($result['status'] ?? '');
                if ('accepted' === $status || 'duplicate' === $status) {
                    $this->outbox->markDelivered($row->id, $row->eventId);
                    ++$summary['delivered'];
                } else {
                    $errors = isset($result['errors']) ? (string) json_encode(
                        $result['errors'],
                        HubClient::JSON_FLAGS
                    ) : 'rejected without a reason';
                    $this->outbox->markRejected($row->id, $row->eventId, $errors);
                    ++$summary['rejected'];
                }
            }
        }
        return $summary;
    }

    /**
     * The longest prefix of the rows whose JSON stays under the hub's body limit (at least one row).
     *
     * @param OutboxRow[] $rows
     * @return OutboxRow[]
     */
    public static function fitBodyLimit(array $rows, int $limit = self::MAX_BODY_BYTES): array
    {
        $out = [];
        $bytes = 20;
        foreach ($rows as $row) {
            $size = strlen((string) json_encode($row->event, HubClient::JSON_FLAGS)) + 1;
            if ($out && $bytes + $size > $limit) {
                break;
            }
            $bytes += $size;
            $out[] = $row;
        }
        return $out;
    }

    private function notify(bool $ok, string $message): void
    {
        if ($this->onContact) {
            call_user_func($this->onContact, $ok, $message);
        }
    }
}
