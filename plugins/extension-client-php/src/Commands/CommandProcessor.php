<?php

declare(strict_types=1);

namespace TikTokShopSync\ExtensionClient\Commands;

use TikTokShopSync\ExtensionClient\HubClient;
use TikTokShopSync\ExtensionClient\HubException;

/**
 * Runs one command through the handler registered for its type and posts the result.
 *
 * A handler takes the command's payload and returns an array that may hold platform_order_id; it
 * throws CommandFailure for a documented failure and CommandDeferred to leave the command unanswered.
 * Any other error becomes a retryable PLATFORM_ERROR, so the hub always learns what happened.
 */
class CommandProcessor
{
    /** @var HubClient */
    private $client;

    /** @var string */
    private $platformName;

    /** @var array<string,callable> */
    private $handlers = [];

    /**
     * @param string $platformName Named in the message for an unknown command type ("Magento 2").
     */
    public function __construct(HubClient $client, string $platformName)
    {
        $this->client = $client;
        $this->platformName = $platformName;
    }

    /**
     * @param callable(array<string,mixed>): (array<string,mixed>|null) $handler
     */
    public function on(string $type, callable $handler): self
    {
        $this->handlers[$type] = $handler;
        return $this;
    }

    /**
     * The payload of a command: its "payload" object, or the command itself for a flat shape.
     *
     * @param array<string,mixed> $command
     * @return array<string,mixed>
     */
    public static function payload(array $command): array
    {
        return isset($command['payload']) && is_array($command['payload']) ? $command['payload'] : $command;
    }

    /**
     * Runs a command and reports its result.
     *
     * @param array<string,mixed> $command
     * @return array<string,mixed>|null The result sent, or null when deferred (nothing sent).
     * @throws HubException When the result could not be delivered (the hub will hand the command out again).
     */
    public function process(array $command): ?array
    {
        $id = isset($command['id']) ? (string) $command['id'] : '';
        if ('' === $id) {
            return null;
        }
        $result = $this->run($command);
        if (null === $result) {
            return null;
        }
        try {
            $this->client->reportResult($id, $result);
        } catch (HubException $e) {
            // 409: a result was recorded already (an earlier delivery of the same command).
            if (409 !== $e->status()) {
                throw $e;
            }
        }
        return $result;
    }

    /**
     * Runs a command without reporting.
     *
     * @param array<string,mixed> $command
     * @return array<string,mixed>|null
     */
    public function run(array $command): ?array
    {
        $type = isset($command['type']) ? (string) $command['type'] : '';
        if (!isset($this->handlers[$type])) {
            return (new CommandFailure(
                CommandFailure::PLATFORM_ERROR,
                'This version of the ' . $this->platformName . ' extension does not know the command "' . $type . '".'
                . ' Update the extension.'
            ))->toResult();
        }
        try {
            $outcome = call_user_func($this->handlers[$type], self::payload($command));
        } catch (CommandDeferred $e) {
            return null;
        } catch (CommandFailure $e) {
            return $e->toResult();
        } catch (\Throwable $e) {
            return (
                new CommandFailure(
                    CommandFailure::PLATFORM_ERROR,
                    'Unexpected error in the store: ' . $e->getMessage(),
                    true
                )
            )->toResult();
        }
        $result = ['status' => 'done'];
        if (
            is_array($outcome) && isset($outcome['platform_order_id']) && '' !== (string) $outcome['platform_order_id']
        ) {
            $result['platform_order_id'] = (string) $outcome['platform_order_id'];
        }
        if (
            is_array($outcome) && isset($outcome['platform_refund_id']) && '' !== (string) $outcome['platform_refund_id']
        ) {
            // order.refund (Extension API v1.2): the store's own id of the refund it made.
            $result['platform_refund_id'] = (string) $outcome['platform_refund_id'];
        }
        return $result;
    }
}
