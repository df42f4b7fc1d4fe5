<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Wake;

/**
 * A wake-up request that failed a check; the code says which (for the 401 answer and the log).
 */
class WakeRejected extends \RuntimeException
{
    /** @var string */
    private $errorCode;

    public function __construct(string $errorCode, string $message)
    {
        parent::__construct($message);
        $this->errorCode = $errorCode;
    }

    public function errorCode(): string
    {
        return $this->errorCode;
    }
}
