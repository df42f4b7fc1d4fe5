<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Tests\Unit;

use PHPUnit\Framework\TestCase;
use TikTokShopSync\ExtensionClient\Commands\CommandDeferred;
use TikTokShopSync\ExtensionClient\Commands\CommandFailure;
use TikTokShopSync\ExtensionClient\Commands\CommandLock;
use TikTokShopSync\ExtensionClient\Commands\CommandPoller;
use TikTokShopSync\ExtensionClient\Commands\CommandProcessor;
use TikTokShopSync\ExtensionClient\Http\CurlTransport;
use TikTokShopSync\ExtensionClient\HubClient;
use TikTokShopSync\ExtensionClient\Signer;
use TikTokShopSync\ExtensionClient\Support\MemoryStateStore;
use TikTokShopSync\ExtensionClient\Tests\Support\ScriptedServer;

final class CommandsTest extends TestCase
{
    /** @var ScriptedServer */
    private static $server;

    /** @var int */
    private $now = 2000000;

    public static function setUpBeforeClass(): void
    {
        self::$server = new ScriptedServer();
    }

    public static function tearDownAfterClass(): void
    {
        self::$server->stop();
    }

    private function client(): HubClient
    {
        return new HubClient(self::$server->url, new Signer('k', ScriptedServer::SECRET), new CurlTransport());
    }

    private function processor(): CommandProcessor
    {
        return (new CommandProcessor($this->client(), 'Magento 2'))
            ->on('order.create', static function (array $payload): array {
                if ('lost' === $payload['order']['tiktok_order_id']) {
                    throw new CommandFailure(CommandFailure::PRODUCT_DELETED, 'Gone.');
                }
                if ('busy' === $payload['order']['tiktok_order_id']) {
                    throw new CommandDeferred('Another worker.');
                }
                if ('boom' === $payload['order']['tiktok_order_id']) {
                    throw new \LogicException('Database went away');
                }
                return ['platform_order_id' => '000000042'];
            });
    }

    private function resultBodies(int $from): array
    {
        $out = [];
        foreach (array_slice(self::$server->requests(), $from) as $request) {
            if ('POST' === $request['method']) {
                $out[$request['uri']] = json_decode($request['body'], true);
            }
        }
        return $out;
    }

    private static function order(string $id): array
    {
        return ['id' => 'cmd-' . $id, 'type' => 'order.create', 'payload' => ['order' => ['tiktok_order_id' => $id]]];
    }

    public function testEveryCommandGetsItsResult(): void
    {
        $before = count(self::$server->requests());
        self::$server->script([
            [
                'status' => 200,
                'body' => [
                    'commands' => [
                        self::order('ok'),
                        self::order('lost'),
                        self::order('busy'),
                        self::order('boom'),
                        ['id' => 'cmd-x', 'type' => 'store.explode', 'payload' => []],
                    ],
                ],
            ],
            ['status' => 200, 'body' => ['id' => 'cmd-ok', 'status' => 'accepted']],
            ['status' => 200, 'body' => ['id' => 'cmd-lost', 'status' => 'accepted']],
            ['status' => 409, 'body' => ['error' => ['code' => 'result_already_recorded', 'message' => 'Already.']]],
            ['status' => 200, 'body' => ['id' => 'cmd-x', 'status' => 'accepted']],
        ]);
        $poller = new CommandPoller($this->client(), $this->processor(), new MemoryStateStore());
        $summary = $poller->poll(0, 10);
        $this->assertSame(
            [
                'received' => 5,
                'done' => 1,
                'failed' => 3,
                'deferred' => 1,
                'error' => '',
                'skipped' => '',
                'retry_after' => 0,
            ],
            $summary
        );
        $results = $this->resultBodies($before);
        $this->assertSame(
            ['status' => 'done', 'platform_order_id' => '000000042'],
            $results['/api/v1/commands/cmd-ok/result']
        );
        $this->assertSame('PRODUCT_DELETED', $results['/api/v1/commands/cmd-lost/result']['reason']);
        $this->assertFalse($results['/api/v1/commands/cmd-lost/result']['retryable']);
        $this->assertArrayNotHasKey(
            '/api/v1/commands/cmd-busy/result',
            $results,
            'A deferred command is not answered.'
        );
        $this->assertSame('PLATFORM_ERROR', $results['/api/v1/commands/cmd-boom/result']['reason']);
        $this->assertTrue($results['/api/v1/commands/cmd-boom/result']['retryable']);
        $this->assertStringContainsString(
            'Database went away',
            $results['/api/v1/commands/cmd-boom/result']['message']
        );
        $this->assertStringContainsString(
            'Magento 2 extension does not know the command "store.explode"',
            $results['/api/v1/commands/cmd-x/result']['message']
        );
    }

    public function testTheHubsRequestToWaitIsKeptUntilItEnds(): void
    {
        $state = new MemoryStateStore();
        $clock = function (): int {
            return $this->now;
        };
        $poller = new CommandPoller($this->client(), $this->processor(), $state, null, null, $clock);
        self::$server->script([['status' => 200, 'headers' => ['Retry-After' => '45'], 'body' => ['commands' => []]]]);
        $this->assertSame(45, $poller->poll()['retry_after']);
        $before = count(self::$server->requests());
        $this->now += 30;
        $skipped = $poller->poll();
        $this->assertSame(15, $skipped['retry_after']);
        $this->assertStringContainsString('asked to wait 15 s', $skipped['skipped']);
        $this->assertCount($before, self::$server->requests(), 'No request while the hub asked to wait.');
        self::$server->script([['status' => 200, 'body' => ['commands' => []]]]);
        $this->assertSame('', $poller->poll(0, 10, true)['skipped'], 'A wake-up polls at once.');
        $this->now += 1;
        $this->assertSame(0, $poller->waitRequested(), 'An answer without a wait clears the old one.');
    }

    public function testA429OnThePollIsHonoured(): void
    {
        $state = new MemoryStateStore();
        $contacts = [];
        $poller = new CommandPoller($this->client(), $this->processor(), $state, null, function (
            bool $ok,
            string $message
        ) use (&$contacts): void {
            $contacts[] = [$ok, $message];
        }, function (): int {
            return $this->now;
        });
        self::$server->script(
            [
                [
                    'status' => 429,
                    'headers' => ['Retry-After' => '120'],
                    'body' => ['error' => ['code' => 'too_many_polls', 'message' => 'Too many waiting polls.']],
                ],
            ]
        );
        $summary = $poller->poll(25);
        $this->assertSame('Too many waiting polls.', $summary['error']);
        $this->assertSame(120, $poller->waitRequested());
        $this->assertSame([[false, 'Too many waiting polls.']], $contacts);
    }

    public function testFullPagesAreFollowedByAnotherRoundWithoutWaiting(): void
    {
        $before = count(self::$server->requests());
        self::$server->script([
            [
                'status' => 200,
                'body' => [
                    'commands' => [['id' => 'r1', 'type' => 'catalog.resend', 'payload' => ['product_ids' => null]]],
                ],
            ],
            ['status' => 200, 'body' => ['id' => 'r1', 'status' => 'accepted']],
            ['status' => 200, 'body' => ['commands' => []]],
        ]);
        $processor = (
            new CommandProcessor($this->client(), 'Magento 2')
        )->on('catalog.resend', static function (): ?array {
            return null;
        });
        $summary = (new CommandPoller($this->client(), $processor, new MemoryStateStore()))->poll(20, 1);
        $this->assertSame(1, $summary['done']);
        $uris = array_column(array_slice(self::$server->requests(), $before), 'uri');
        $this->assertSame(
            ['/api/v1/commands?wait=20&limit=1', '/api/v1/commands/r1/result', '/api/v1/commands?wait=0&limit=1'],
            $uris
        );
    }

    public function testALockedPollDoesNothing(): void
    {
        $lock = new class implements CommandLock {
            public $released = 0;
            public function acquire(): bool
            {
                return false;
            }
            public function release(): void
            {
                ++$this->released;
            }
        };
        $before = count(self::$server->requests());
        $summary = (new CommandPoller($this->client(), $this->processor(), new MemoryStateStore(), $lock))->poll();
        $this->assertSame('Another poll is running.', $summary['skipped']);
        $this->assertCount($before, self::$server->requests());
        $this->assertSame(0, $lock->released);
    }

    public function testOnlyDocumentedReasonsCanBeReported(): void
    {
        $this->expectException(\InvalidArgumentException::class);
        new CommandFailure('SOMETHING_ELSE', 'x');
    }
}
