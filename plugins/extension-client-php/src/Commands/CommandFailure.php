<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Commands;

/**
 * A command the store could not carry out, with one of the Extension API's failure reasons and a
 * message the merchant can act on.
 */
class CommandFailure extends \RuntimeException
{
    public const PRODUCT_DELETED = 'PRODUCT_DELETED';
    public const PRODUCT_DISABLED = 'PRODUCT_DISABLED';
    public const OUT_OF_STOCK = 'OUT_OF_STOCK';
    public const INVALID_ADDRESS = 'INVALID_ADDRESS';
    public const ADDRESS_REFUSED = 'ADDRESS_REFUSED';
    public const MISSING_FIELD = 'MISSING_FIELD';
    public const PLATFORM_ERROR = 'PLATFORM_ERROR';

    /** Reasons the Extension API accepts in a failed result. */
    public const REASONS = [
        self::PRODUCT_DELETED,
        self::PRODUCT_DISABLED,
        self::OUT_OF_STOCK,
        self::INVALID_ADDRESS,
        self::ADDRESS_REFUSED,
        self::MISSING_FIELD,
        self::PLATFORM_ERROR,
    ];

    /** @var string */
    private $reason;

    /** @var bool */
    private $retryable;

    public function __construct(string $reason, string $message, bool $retryable = false)
    {
        if (!in_array($reason, self::REASONS, true)) {
            throw new \InvalidArgumentException('Unknown command failure reason ' . $reason);
        }
        parent::__construct($message);
        $this->reason = $reason;
        $this->retryable = $retryable;
    }

    public function reason(): string
    {
        return $this->reason;
    }

    public function retryable(): bool
    {
        return $this->retryable;
    }

    /**
     * The body for POST /commands/{id}/result.
     *
     * @return array<string,mixed>
     */
    public function toResult(): array
    {
        return [
            'status' => 'failed',
            'reason' => $this->reason,
            'message' => function_exists('mb_substr') ? mb_substr(
                $this->getMessage(),
                0,
                2000
            ) : substr($this->getMessage(), 0, 2000),
            'retryable' => $this->retryable,
        ];
    }
}
