<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Tests\Unit;

use PHPUnit\Framework\TestCase;
use TikTokShopSync\ExtensionClient\Http\CurlTransport;
use TikTokShopSync\ExtensionClient\HubClient;
use TikTokShopSync\ExtensionClient\HubException;
use TikTokShopSync\ExtensionClient\Signer;
use TikTokShopSync\ExtensionClient\Tests\Support\ScriptedServer;

/**
 * The client over real HTTP (curl to a loopback server that checks signatures).
 */
final class HubClientTest extends TestCase
{
    /** @var ScriptedServer */
    private static $server;

    public static function setUpBeforeClass(): void
    {
        self::$server = new ScriptedServer();
    }

    public static function tearDownAfterClass(): void
    {
        self::$server->stop();
    }

    private function client(string $secret = ScriptedServer::SECRET, ?string $url = null): HubClient
    {
        return new HubClient(
            ($url ?? self::$server->url) . '/',
            new Signer('key-1', $secret),
            new CurlTransport('test')
        );
    }

    private function lastRequest(): array
    {
        $requests = self::$server->requests();
        return end($requests);
    }

    public function testEventsAreSignedOverThePathAndBodyAsSent(): void
    {
        self::$server->script([['status' => 200, 'body' => ['results' => [['id' => 'e1', 'status' => 'accepted']]]]]);
        $results = $this->client()->sendEvents(
            [['id' => 'e1', 'type' => 'product.delete', 'product_id' => '88', 'note' => 'café/ä']]
        );
        $this->assertSame('accepted', $results[0]['status']);
        $request = $this->lastRequest();
        $this->assertSame('POST', $request['method']);
        $this->assertSame('/api/v1/events', $request['uri']);
        $this->assertTrue($request['signature_ok']);
        $this->assertSame('key-1', $request['headers']['x-hub-key']);
        $this->assertStringContainsString('café/ä', $request['body']);
        $this->assertSame('application/json; charset=utf-8', $request['headers']['content-type']);
    }

    public function testAWrongSecretIsWhatTheServerSees(): void
    {
        self::$server->script([['status' => 200, 'body' => ['store_id' => 's']]]);
        $this->client('wrong')->ping();
        $this->assertFalse($this->lastRequest()['signature_ok']);
    }

    public function testHubErrorsKeepCodeMessageAndRetryAfter(): void
    {
        self::$server->script([[
            'status' => 429,
            'headers' => ['Retry-After' => '42'],
            'body' => ['error' => ['code' => 'rate_limited', 'message' => 'Slow down.', 'details' => []]],
        ]]);
        try {
            $this->client()->ping();
            $this->fail('A 429 must raise.');
        } catch (HubException $e) {
            $this->assertSame(429, $e->status());
            $this->assertSame('rate_limited', $e->errorCode());
            $this->assertSame('Slow down.', $e->getMessage());
            $this->assertSame(42, $e->retryAfter());
            $this->assertTrue($e->isRetryable());
        }
    }

    public function testAuthFailureAndRefusalAreTold(): void
    {
        self::$server->script([
            ['status' => 401, 'body' => ['error' => ['code' => 'bad_signature', 'message' => 'Bad signature.']]],
            ['status' => 422, 'body' => ['error' => ['code' => 'validation_failed', 'message' => 'No.']]],
        ]);
        try {
            $this->client()->ping();
            $this->fail('401 must raise');
        } catch (HubException $e) {
            $this->assertTrue($e->isAuthFailure());
            $this->assertFalse($e->isRetryable());
            $this->assertSame('bad_signature', $e->errorCode());
        }
        try {
            $this->client()->ping();
            $this->fail('422 must raise');
        } catch (HubException $e) {
            $this->assertTrue($e->isRefusal());
        }
    }

    public function testCommandsCarryTheHubsRequestToWaitByHeaderOrField(): void
    {
        self::$server->script([
            ['status' => 200, 'headers' => ['Retry-After' => '20'], 'body' => ['commands' => []]],
            [
                'status' => 200,
                'body' => ['commands' => [['id' => 'c1', 'type' => 'catalog.resend']], 'retry_after' => 7.2],
            ],
            ['status' => 200, 'body' => ['commands' => []]],
        ]);
        $batch = $this->client()->fetchCommands(0, 10);
        $this->assertSame(20, $batch->retryAfter);
        $this->assertSame('/api/v1/commands?wait=0&limit=10', $this->lastRequest()['uri']);
        $this->assertTrue($this->lastRequest()['signature_ok']);
        $batch = $this->client()->fetchCommands(99, 500);
        $this->assertSame(8, $batch->retryAfter);
        $this->assertSame('c1', $batch->commands[0]['id']);
        $this->assertSame('/api/v1/commands?wait=30&limit=100', $this->lastRequest()['uri']);
        $this->assertSame(0, $this->client()->fetchCommands(0, 1)->retryAfter);
    }

    public function testRetryAfterAsAnHttpDate(): void
    {
        $this->assertSame(60, HubClient::retryAfterSeconds(gmdate('D, d M Y H:i:s', 1000060) . ' GMT', 1000000));
        $this->assertSame(0, HubClient::retryAfterSeconds('soon'));
        $this->assertSame(3, HubClient::retryAfterSeconds('2.5'));
    }

    public function testAnUnreachableHubIsAnUnreachableError(): void
    {
        $client = $this->client(ScriptedServer::SECRET, 'http://127.0.0.1:' . ScriptedServer::freePort());
        try {
            $client->ping();
            $this->fail('Nothing listens there.');
        } catch (HubException $e) {
            $this->assertSame(0, $e->status());
            $this->assertSame('unreachable', $e->errorCode());
            $this->assertTrue($e->isRetryable());
        }
    }

    public function testATimeoutIsBounded(): void
    {
        self::$server->script([['status' => 200, 'sleep' => 3, 'body' => ['results' => []]]]);
        $started = microtime(true);
        try {
            $this->client()->sendEvents([], 0.5);
            $this->fail('A slow hub must time out.');
        } catch (HubException $e) {
            $this->assertSame('unreachable', $e->errorCode());
        }
        $this->assertLessThan(2.5, microtime(true) - $started);
    }

    public function testAnswersThatAreNotTheContractAreErrors(): void
    {
        self::$server->script([
            ['status' => 200, 'body' => '<html>proxy page</html>'],
            ['status' => 200, 'body' => ['results' => []]],
        ]);
        try {
            $this->client()->ping();
            $this->fail('HTML is not an answer.');
        } catch (HubException $e) {
            $this->assertSame('invalid_response', $e->errorCode());
        }
        try {
            $this->client()->sendEvents([['id' => 'e', 'type' => 'product.delete', 'product_id' => '1']]);
            $this->fail('One result per event is required.');
        } catch (HubException $e) {
            $this->assertSame('invalid_response', $e->errorCode());
        }
    }

    public function testStatusesAskInPagesOfAHundredWithLiteralCommas(): void
    {
        $ids = range(1, 150);
        self::$server->script([
            ['status' => 200, 'body' => ['products' => [['product_id' => '1', 'status' => 'Active']]]],
            ['status' => 200, 'body' => ['products' => [['product_id' => '150', 'status' => 'Failed to sync']]]],
        ]);
        $before = count(self::$server->requests());
        $statuses = $this->client()->productStatuses(array_merge($ids, ['bad id', '']));
        $requests = array_slice(self::$server->requests(), $before);
        $this->assertCount(2, $requests);
        $this->assertStringStartsWith('/api/v1/products/status?ids=1,2,3,', $requests[0]['uri']);
        $this->assertTrue($requests[1]['signature_ok']);
        $this->assertSame('Failed to sync', $statuses['150']['status']);
    }

    public function testNoUrlIsNotConfigured(): void
    {
        $this->expectExceptionMessage('The hub URL is not set.');
        (new HubClient('', new Signer('k', 's'), new CurlTransport()))->ping();
    }
}
