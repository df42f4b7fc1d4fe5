<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Events;

use TikTokShopSync\ExtensionClient\Support\StateStore;

/**
 * Millisecond timestamps that never go backwards, for product and inventory versions.
 *
 * The hub ignores an item older than the one it holds, so two changes in the same millisecond, or a
 * clock stepped back by NTP, must still give increasing versions; the last value is kept in the
 * state store so this holds across requests.
 */
class VersionClock
{
    public const STATE_LAST = 'last_version';

    /** @var StateStore|null */
    private $state;

    /** @var callable(): int */
    private $nowMs;

    /** @var int */
    private $last = 0;

    public function __construct(?StateStore $state = null, ?callable $nowMs = null)
    {
        $this->state = $state;
        $this->nowMs = $nowMs ?? static function (): int {
            return (int) floor(microtime(true) * 1000);
        };
    }

    public function next(): int
    {
        $last = $this->last;
        if ($this->state) {
            $last = max($last, (int) $this->state->get(self::STATE_LAST));
        }
        $version = max((int) call_user_func($this->nowMs), $last + 1);
        $this->last = $version;
        if ($this->state) {
            $this->state->set(self::STATE_LAST, $version);
        }
        return $version;
    }
}
