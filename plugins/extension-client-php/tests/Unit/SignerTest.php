<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Tests\Unit;

use PHPUnit\Framework\TestCase;
use TikTokShopSync\ExtensionClient\Signer;

/**
 * Vectors computed outside PHP (Python's hmac module) so the test does not check PHP against itself.
 */
final class SignerTest extends TestCase
{
    public function testSignsTimestampMethodPathAndBody(): void
    {
        $signer = new Signer('key-1', 'shhh-secret');
        $this->assertSame(
            'sha256=b577cde2355cd4af8a004de3ece9900976c76566b534ec0980f7c84f6c260778',
            $signer->signature(1732700000, 'post', '/api/v1/events', '{"events":[]}')
        );
        $this->assertSame(
            'sha256=5505f33d1ba142df1cb9d44bc1b5d66f9d3b6586dc2f78d2a881cb33061a57ec',
            $signer->signature(1732700000, 'GET', '/api/v1/commands?wait=25&limit=10', '')
        );
    }

    public function testHeadersCarryKeyTimestampAndSignature(): void
    {
        $headers = (new Signer('key-1', 'shhh-secret'))->headers(
            1732700000,
            'GET',
            '/api/v1/commands?wait=25&limit=10',
            ''
        );
        $this->assertSame('key-1', $headers['X-Hub-Key']);
        $this->assertSame('1732700000', $headers['X-Hub-Timestamp']);
        $this->assertStringStartsWith('sha256=5505f33d', $headers['X-Hub-Signature']);
    }

    public function testVerifyRefusesAnyChangedPart(): void
    {
        $signer = new Signer('key-1', 'shhh-secret');
        $good = $signer->signature(1732700000, 'POST', '/api/v1/events', '{}');
        $this->assertTrue($signer->verify($good, 1732700000, 'POST', '/api/v1/events', '{}'));
        $this->assertFalse($signer->verify($good, 1732700001, 'POST', '/api/v1/events', '{}'));
        $this->assertFalse($signer->verify($good, 1732700000, 'GET', '/api/v1/events', '{}'));
        $this->assertFalse($signer->verify($good, 1732700000, 'POST', '/api/v1/events?x', '{}'));
        $this->assertFalse($signer->verify($good, 1732700000, 'POST', '/api/v1/events', '{ }'));
        $this->assertFalse((new Signer('key-1', 'other'))->verify($good, 1732700000, 'POST', '/api/v1/events', '{}'));
    }
}
