<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Tests\Unit;

use PHPUnit\Framework\TestCase;
use TikTokShopSync\ExtensionClient\Http\CurlTransport;
use TikTokShopSync\ExtensionClient\HubClient;
use TikTokShopSync\ExtensionClient\Outbox\MemoryOutboxStore;
use TikTokShopSync\ExtensionClient\Outbox\OutboxFlusher;
use TikTokShopSync\ExtensionClient\Outbox\OutboxRow;
use TikTokShopSync\ExtensionClient\Signer;
use TikTokShopSync\ExtensionClient\Tests\Support\ScriptedServer;

final class OutboxFlusherTest extends TestCase
{
    /** @var ScriptedServer */
    private static $server;

    /** @var int */
    private $now = 1000000;

    public static function setUpBeforeClass(): void
    {
        self::$server = new ScriptedServer();
    }

    public static function tearDownAfterClass(): void
    {
        self::$server->stop();
    }

    private function outbox(): MemoryOutboxStore
    {
        return new MemoryOutboxStore(function (): int {
            return $this->now;
        });
    }

    private function flusher(MemoryOutboxStore $outbox, ?callable $onContact = null): OutboxFlusher
    {
        $client = new HubClient(self::$server->url, new Signer('k', ScriptedServer::SECRET), new CurlTransport());
        return new OutboxFlusher($outbox, $client, $onContact);
    }

    private static function event(string $id): array
    {
        return ['id' => $id, 'type' => 'product.delete', 'product_id' => $id];
    }

    public function testAcceptedAndDuplicateLeaveRejectedStayWithTheReason(): void
    {
        $outbox = $this->outbox();
        $outbox->add(self::event('a'));
        $outbox->add(self::event('b'));
        $outbox->add(self::event('c'));
        self::$server->script([['status' => 200, 'body' => ['results' => [
            ['id' => 'a', 'status' => 'accepted'],
            ['id' => 'b', 'status' => 'duplicate'],
            ['id' => 'c', 'status' => 'rejected', 'errors' => ['product_id' => ['Unknown.']]],
        ]]]]);
        $contacts = [];
        $summary = $this->flusher($outbox, function (bool $ok) use (&$contacts): void {
            $contacts[] = $ok;
        })->flush();
        $this->assertSame(2, $summary['delivered']);
        $this->assertSame(1, $summary['rejected']);
        $rows = array_values($outbox->rows());
        $this->assertCount(1, $rows);
        $this->assertSame('rejected', $rows[0]['state']);
        $this->assertStringContainsString('Unknown.', $rows[0]['error']);
        $this->assertSame([true], $contacts);
        $this->assertSame([], $outbox->due(10), 'A rejected event is not sent again.');
    }

    public function testAnOutageBacksOffAndKeepsEverything(): void
    {
        $outbox = $this->outbox();
        $outbox->add(self::event('a'));
        self::$server->script([
            ['status' => 503, 'body' => ['error' => ['code' => 'unavailable', 'message' => 'Down.']]],
            ['status' => 503, 'headers' => ['Retry-After' => '900'], 'body' => '{}'],
        ]);
        $summary = $this->flusher($outbox)->flush();
        $this->assertSame(1, $summary['deferred']);
        $this->assertSame('Down.', $summary['error']);
        $this->assertSame([], $outbox->due(10), 'Not due again before the backoff.');
        $this->now += 30;
        $this->assertCount(1, $outbox->due(10));
        $this->flusher($outbox)->flush();
        $this->now += 60;
        $this->assertSame([], $outbox->due(10), 'The hub asked for 900 s, more than the 60 s backoff.');
        $this->now += 840;
        $this->assertCount(1, $outbox->due(10));
        self::$server->script([['status' => 502, 'body' => 'Bad gateway']]);
        $this->flusher($outbox)->flush();
        $this->assertSame([], $outbox->due(10));
        $this->assertSame(1, $outbox->releaseBackoff(), 'Once the hub answers again, the backlog is due at once.');
        $this->assertCount(1, $outbox->due(10));
    }

    public function testBackoffDoublesToAnHour(): void
    {
        $this->assertSame(30, OutboxFlusher::backoff(0));
        $this->assertSame(60, OutboxFlusher::backoff(1));
        $this->assertSame(3600, OutboxFlusher::backoff(9));
        $this->assertSame(7200, OutboxFlusher::backoff(0, 7200));
    }

    public function testABatchRefusedWholeIsSplitToFindTheBadEvent(): void
    {
        $outbox = $this->outbox();
        $outbox->add(self::event('a'));
        $outbox->add(self::event('bad'));
        $outbox->add(self::event('c'));
        self::$server->script([
            ['status' => 422, 'body' => ['error' => ['code' => 'validation_failed', 'message' => 'events.1: bad']]],
            ['status' => 200, 'body' => ['results' => [['id' => 'a', 'status' => 'accepted']]]],
            ['status' => 422, 'body' => ['error' => ['code' => 'validation_failed', 'message' => 'events.0: bad']]],
            ['status' => 200, 'body' => ['results' => [['id' => 'c', 'status' => 'accepted']]]],
        ]);
        $summary = $this->flusher($outbox)->flush();
        $this->assertSame(2, $summary['delivered']);
        $this->assertSame(1, $summary['rejected']);
        $rows = array_values($outbox->rows());
        $this->assertSame('bad', $rows[0]['event_id']);
        $this->assertSame('rejected', $rows[0]['state']);
    }

    public function testARowReplacedDuringDeliveryIsKept(): void
    {
        $outbox = $this->outbox();
        $outbox->add(self::event('old'), 'product:1');
        $due = $outbox->due(10);
        $outbox->add(self::event('new'), 'product:1');
        $outbox->markDelivered($due[0]->id, $due[0]->eventId);
        $this->assertSame('new', $outbox->due(10)[0]->eventId);
    }

    public function testBatchesStayUnderTheBodyLimit(): void
    {
        $rows = [];
        for ($i = 0; $i < 5; $i++) {
            $rows[] = new OutboxRow($i, 'e' . $i, 0, ['id' => 'e' . $i, 'blob' => str_repeat('x', 400)]);
        }
        $this->assertCount(2, OutboxFlusher::fitBodyLimit($rows, 1000));
        $this->assertCount(1, OutboxFlusher::fitBodyLimit([$rows[0]], 10), 'One row always goes, even if large.');
    }

    public function testEmptyObjectsStayObjectsOnTheWire(): void
    {
        $outbox = $this->outbox();
        $outbox->add(
            json_decode('{"id":"o","type":"product.upsert","product":{"attributes":{},"variants":[{"options":{}}]}}')
        );
        self::$server->script([['status' => 200, 'body' => ['results' => [['id' => 'o', 'status' => 'accepted']]]]]);
        $this->flusher($outbox)->flush();
        $requests = self::$server->requests();
        $this->assertStringContainsString('"attributes":{}', end($requests)['body']);
        $this->assertStringContainsString('"options":{}', end($requests)['body']);
    }
}
