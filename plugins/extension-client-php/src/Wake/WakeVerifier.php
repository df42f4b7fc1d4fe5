<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Wake;

use TikTokShopSync\ExtensionClient\Signer;

/**
 * Checks the hub's wake-up request to the store: the Extension API's signature in reverse.
 *
 * The hub sends a content-free request (no data; the store learns nothing from it but "poll now")
 * with X-Hub-Key (the store's key id), X-Hub-Timestamp and X-Hub-Signature = "sha256=" + hex
 * HMAC-SHA256(secret, timestamp + "\n" + METHOD + "\n" + path_with_query + "\n" + raw_body), the
 * path and query as received. A forged or replayed request can at worst make the store poll once
 * more, which its poll lock and the hub's lease make harmless; the checks keep strangers from
 * turning the endpoint into a way to load the store.
 */
final class WakeVerifier
{
    public const MAX_SKEW = 300;
    public const MAX_BODY_BYTES = 1024;

    /** @var Signer */
    private $signer;

    /** @var callable(): int */
    private $clock;

    public function __construct(Signer $signer, ?callable $clock = null)
    {
        $this->signer = $signer;
        $this->clock = $clock ?? 'time';
    }

    /**
     * @param array<string,string|string[]> $headers Request headers, any case.
     * @throws WakeRejected missing_credentials, unknown_key, stale_timestamp, bad_signature or payload_too_large.
     */
    public function verify(array $headers, string $method, string $pathWithQuery, string $body): void
    {
        $headers = array_change_key_case($headers, CASE_LOWER);
        $key = self::first($headers['x-hub-key'] ?? '');
        $timestamp = self::first($headers['x-hub-timestamp'] ?? '');
        $signature = self::first($headers['x-hub-signature'] ?? '');
        if ('' === $key || '' === $timestamp || '' === $signature) {
            throw new WakeRejected(
                'missing_credentials',
                'The wake-up request lacks X-Hub-Key, X-Hub-Timestamp or X-Hub-Signature.'
            );
        }
        if (!hash_equals($this->signer->keyId(), $key)) {
            throw new WakeRejected('unknown_key', 'The wake-up request names another key.');
        }
        if (
            !preg_match('/^\d{1,12}$/', $timestamp) || abs(
                (int) call_user_func($this->clock) - (int) $timestamp
            ) > self::MAX_SKEW
        ) {
            throw new WakeRejected('stale_timestamp', 'The wake-up request is too old or from the future.');
        }
        if (strlen($body) > self::MAX_BODY_BYTES) {
            throw new WakeRejected('payload_too_large', 'A wake-up request carries no content.');
        }
        if (!$this->signer->verify($signature, (int) $timestamp, $method, $pathWithQuery, $body)) {
            throw new WakeRejected('bad_signature', 'The wake-up request signature does not match.');
        }
    }

    /**
     * @param string|string[] $value
     */
    private static function first($value): string
    {
        return trim((string) (is_array($value) ? reset($value) : $value));
    }
}
