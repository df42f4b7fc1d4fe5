<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient;

/**
 * A failed call to the hub, with the hub's error code, so callers decide between retrying, showing
 * the merchant a reason and asking for new credentials without parsing messages.
 */
class HubException extends \RuntimeException
{
    /** @var int */
    private $status;

    /** @var string */
    private $errorCode;

    /** @var int */
    private $retryAfter;

    /**
     * @param int    $status     HTTP status, 0 when no answer arrived.
     * @param string $errorCode  The hub's snake_case code, or a local one
     *                           (unreachable, invalid_response, not_configured).
     * @param int    $retryAfter Seconds the hub asked the store to wait, 0 when it gave none.
     */
    public function __construct(string $message, int $status = 0, string $errorCode = '', int $retryAfter = 0)
    {
        parent::__construct($message);
        $this->status = $status;
        $this->errorCode = $errorCode;
        $this->retryAfter = max(0, $retryAfter);
    }

    public function status(): int
    {
        return $this->status;
    }

    public function errorCode(): string
    {
        return $this->errorCode;
    }

    public function retryAfter(): int
    {
        return $this->retryAfter;
    }

    /** No answer, 408, 429 or 5xx: the same call may succeed later. */
    public function isRetryable(): bool
    {
        return 0 === $this->status || 408 === $this->status || 429 === $this->status || $this->status >= 500;
    }

    /** The hub refused the store's credentials (wrong key or secret, clock far off). */
    public function isAuthFailure(): bool
    {
        return 401 === $this->status || 403 === $this->status;
    }

    /** 400, 413 or 422: the request itself was refused and sending it again changes nothing. */
    public function isRefusal(): bool
    {
        return in_array($this->status, [400, 413, 422], true);
    }
}
