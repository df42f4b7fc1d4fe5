<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Outbox;

/**
 * One event waiting in a store's outbox.
 */
final class OutboxRow
{
    /** @var int */
    public $id;

    /** @var string */
    public $eventId;

    /** @var int */
    public $attempts;

    /**
     * The event as it goes on the wire (objects stay objects, so {} is not sent as []).
     *
     * @var array<string,mixed>|object
     */
    public $event;

    /**
     * @param array<string,mixed>|object $event
     */
    public function __construct(int $id, string $eventId, int $attempts, $event)
    {
        $this->id = $id;
        $this->eventId = $eventId;
        $this->attempts = $attempts;
        $this->event = $event;
    }
}
