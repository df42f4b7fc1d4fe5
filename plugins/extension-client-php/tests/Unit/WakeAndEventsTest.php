<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Tests\Unit;

use PHPUnit\Framework\TestCase;
use TikTokShopSync\ExtensionClient\Events\EventFactory;
use TikTokShopSync\ExtensionClient\Events\VersionClock;
use TikTokShopSync\ExtensionClient\Signer;
use TikTokShopSync\ExtensionClient\Support\MemoryStateStore;
use TikTokShopSync\ExtensionClient\Wake\WakeRejected;
use TikTokShopSync\ExtensionClient\Wake\WakeVerifier;

final class WakeAndEventsTest extends TestCase
{
    private const NOW = 1732700123;

    private function verifier(): WakeVerifier
    {
        return new WakeVerifier(new Signer('key-1', 'shhh-secret'), static function (): int {
            return self::NOW;
        });
    }

    private function headers(array $override = []): array
    {
        // Signature computed with Python's hmac over "1732700123\nPOST\n/tiktokshop/wake/index\n".
        return array_merge([
            'X-Hub-Key' => 'key-1',
            'X-Hub-Timestamp' => (string) self::NOW,
            'X-Hub-Signature' => 'sha256=62fe1c04477892e283488520c28b56e68402bd6b4830121c31d10bd8a84892d8',
        ], $override);
    }

    public function testAValidWakeUpPasses(): void
    {
        $this->verifier()->verify(
            array_change_key_case($this->headers(), CASE_LOWER),
            'POST',
            '/tiktokshop/wake/index',
            ''
        );
        $this->addToAssertionCount(1);
    }

    /**
     * @dataProvider refusals
     */
    public function testEachFailedCheckIsNamed(
        array $override,
        string $method,
        string $path,
        string $body,
        string $code
    ): void {
        try {
            $this->verifier()->verify($this->headers($override), $method, $path, $body);
            $this->fail('The request must be refused.');
        } catch (WakeRejected $e) {
            $this->assertSame($code, $e->errorCode());
        }
    }

    public function refusals(): array
    {
        return [
            'no signature' => [['X-Hub-Signature' => ''], 'POST', '/tiktokshop/wake/index', '', 'missing_credentials'],
            'other key' => [['X-Hub-Key' => 'key-2'], 'POST', '/tiktokshop/wake/index', '', 'unknown_key'],
            'old' => [
                ['X-Hub-Timestamp' => (string) (self::NOW - 301)],
                'POST',
                '/tiktokshop/wake/index',
                '',
                'stale_timestamp',
            ],
            'not a number' => [['X-Hub-Timestamp' => 'soon'], 'POST', '/tiktokshop/wake/index', '', 'stale_timestamp'],
            'other path' => [[], 'POST', '/tiktokshop/wake/index?again=1', '', 'bad_signature'],
            'other method' => [[], 'GET', '/tiktokshop/wake/index', '', 'bad_signature'],
            'content' => [[], 'POST', '/tiktokshop/wake/index', str_repeat('x', 2000), 'payload_too_large'],
        ];
    }

    public function testEventsHaveFreshUuidsAndTheirFields(): void
    {
        $factory = new EventFactory();
        $one = $factory->productDelete('88');
        $two = $factory->orderFulfilled('576', '000000001', '1Z', 'Royal Mail', '2026-12-03T10:00:00Z');
        $this->assertMatchesRegularExpression(
            '/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/',
            $one['id']
        );
        $this->assertNotSame($one['id'], $two['id']);
        $this->assertSame(['type' => 'product.delete', 'product_id' => '88'], array_diff_key($one, ['id' => 1]));
        $this->assertSame('Royal Mail', $two['carrier']);
        $this->assertSame('store.update', $factory->storeUpdate(['currency' => 'GBP'])['type']);
        $this->assertSame('ORDER', $factory->orderCancelled('576', '1', 'ORDER')['reason']);
        $refunded = $factory->orderRefunded('576', '1', 'R-7', '9.99', 'GBP', 'Goodwill', [
            3 => ['product_id' => '88', 'variant_id' => '91', 'quantity' => 1, 'amount' => '9.99',
                'restocked' => false],
        ]);
        $this->assertSame('order.refunded', $refunded['type']);
        $this->assertSame(['576', '1', 'R-7', '9.99', 'GBP', 'Goodwill'], [
            $refunded['tiktok_order_id'], $refunded['platform_order_id'], $refunded['platform_refund_id'],
            $refunded['amount'], $refunded['currency'], $refunded['reason'],
        ]);
        $this->assertSame('91', $refunded['lines'][0]['variant_id'], 'lines are a JSON list');
    }

    public function testVersionsNeverGoBackwards(): void
    {
        $now = 5000;
        $state = new MemoryStateStore();
        $clock = new VersionClock($state, static function () use (&$now): int {
            return $now;
        });
        $this->assertSame(5000, $clock->next());
        $this->assertSame(5001, $clock->next());
        $now = 10;
        $this->assertSame(5002, (new VersionClock($state, static function () use (&$now): int {
            return $now;
        }))->next(), 'A new process continues from the stored value after the clock stepped back.');
    }
}
