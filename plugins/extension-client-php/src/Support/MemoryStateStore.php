<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Support;

/**
 * StateStore for one process (command-line tools, tests).
 */
final class MemoryStateStore implements StateStore
{
    /** @var array<string,mixed> */
    private $values = [];

    public function get(string $name)
    {
        return $this->values[$name] ?? null;
    }

    public function set(string $name, $value): void
    {
        $this->values[$name] = $value;
    }
}
