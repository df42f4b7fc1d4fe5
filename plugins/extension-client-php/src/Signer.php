<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient;

/**
 * The Extension API's request signature, used in both directions: the store signs its calls to the
 * hub, and the hub signs its wake-up calls to the store with the same key and scheme.
 *
 * The signed string is "timestamp\nMETHOD\npath_with_query\nraw_body"; the signature is the lower-case
 * hex HMAC-SHA256 of it under the store's secret, sent as "sha256=<hex>".
 */
final class Signer
{
    public const HEADER_KEY = 'X-Hub-Key';
    public const HEADER_TIMESTAMP = 'X-Hub-Timestamp';
    public const HEADER_SIGNATURE = 'X-Hub-Signature';

    /** @var string */
    private $keyId;

    /** @var string */
    private $secret;

    public function __construct(string $keyId, string $secret)
    {
        $this->keyId = $keyId;
        $this->secret = $secret;
    }

    public function keyId(): string
    {
        return $this->keyId;
    }

    public function signature(int $timestamp, string $method, string $pathWithQuery, string $body): string
    {
        $message = $timestamp . "\n" . strtoupper($method) . "\n" . $pathWithQuery . "\n" . $body;
        return 'sha256=' . hash_hmac('sha256', $message, $this->secret);
    }

    /**
     * The three authentication headers of one request.
     *
     * @return array<string,string>
     */
    public function headers(int $timestamp, string $method, string $pathWithQuery, string $body): array
    {
        return [
            self::HEADER_KEY => $this->keyId,
            self::HEADER_TIMESTAMP => (string) $timestamp,
            self::HEADER_SIGNATURE => $this->signature($timestamp, $method, $pathWithQuery, $body),
        ];
    }

    /**
     * Constant-time check of a received signature.
     */
    public function verify(string $signature, int $timestamp, string $method, string $pathWithQuery, string $body): bool
    {
        return hash_equals($this->signature($timestamp, $method, $pathWithQuery, $body), $signature);
    }
}
