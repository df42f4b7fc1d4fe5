<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Outbox;

/**
 * OutboxStore held in memory: the reference behaviour of a store's table (dedupe on a key while
 * undelivered, backoff, rejections), for command-line tools and tests.
 */
final class MemoryOutboxStore implements OutboxStore
{
    /** @var array<int,array{event_id:string,dedupe_key:?string,event:mixed,state:string,attempts:int,next:int,error:string}> */
    private $rows = [];

    /** @var int */
    private $nextId = 1;

    /** @var callable(): int */
    private $clock;

    public function __construct(?callable $clock = null)
    {
        $this->clock = $clock ?? 'time';
    }

    /**
     * Adds an event; an undelivered event with the same dedupe key is replaced by it.
     *
     * @param array<string,mixed>|object $event
     */
    public function add($event, ?string $dedupeKey = null): int
    {
        $eventId = (string) (is_array($event) ? $event['id'] : $event->id);
        if (null !== $dedupeKey) {
            foreach ($this->rows as $id => $row) {
                if ($row['dedupe_key'] === $dedupeKey && 'pending' === $row['state']) {
                    $this->rows[$id]['event_id'] = $eventId;
                    $this->rows[$id]['event'] = $event;
                    return $id;
                }
            }
        }
        $id = $this->nextId++;
        $this->rows[$id] = [
            'event_id' => $eventId,
            'dedupe_key' => $dedupeKey,
            'event' => $event,
            'state' => 'pending',
            'attempts' => 0,
            'next' => 0,
            'error' => '',
        ];
        return $id;
    }

    public function due(int $limit): array
    {
        $now = (int) call_user_func($this->clock);
        $out = [];
        foreach ($this->rows as $id => $row) {
            if ('pending' === $row['state'] && $row['next'] <= $now) {
                $out[] = new OutboxRow($id, $row['event_id'], $row['attempts'], $row['event']);
                if (count($out) >= $limit) {
                    break;
                }
            }
        }
        return $out;
    }

    public function markDelivered(int $rowId, string $eventId): void
    {
        if (isset($this->rows[$rowId]) && $this->rows[$rowId]['event_id'] === $eventId) {
            unset($this->rows[$rowId]);
        }
    }

    public function markRejected(int $rowId, string $eventId, string $reason): void
    {
        if (isset($this->rows[$rowId]) && $this->rows[$rowId]['event_id'] === $eventId) {
            $this->rows[$rowId]['state'] = 'rejected';
            $this->rows[$rowId]['error'] = $reason;
        }
    }

    public function markRetry(array $rowIds, string $error, int $delaySeconds): void
    {
        $now = (int) call_user_func($this->clock);
        foreach ($rowIds as $id) {
            if (isset($this->rows[$id])) {
                $this->rows[$id]['attempts']++;
                $this->rows[$id]['next'] = $now + max(0, $delaySeconds);
                $this->rows[$id]['error'] = $error;
            }
        }
    }

    public function releaseBackoff(): int
    {
        $released = 0;
        foreach ($this->rows as $id => $row) {
            if ('pending' === $row['state'] && $row['next'] > 0) {
                $this->rows[$id]['next'] = 0;
                ++$released;
            }
        }
        return $released;
    }

    /**
     * @return array<int,array<string,mixed>> Every row, for inspection.
     */
    public function rows(): array
    {
        return $this->rows;
    }
}
