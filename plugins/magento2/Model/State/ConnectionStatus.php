<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\State;

use Magento\Framework\FlagManager;

/**
 * What the settings page shows: the last successful contact with the hub per website, the last
 * error, and the last run of the module's cron (a warning when it is older than five minutes,
 * because then nothing retries and no order arrives).
 */
class ConnectionStatus
{
    public const CRON_STALE_AFTER = 300;
    private const FLAG_CRON = 'tiktokshop_last_cron';

    /** @var callable(): int */
    private $clock;

    public function __construct(
        private readonly FlagManager $flagManager,
        ?callable $clock = null
    ) {
        $this->clock = $clock ?? 'time';
    }

    public function recordContact(int $websiteId, bool $ok, string $message): void
    {
        $now = (int) call_user_func($this->clock);
        $status = $this->contact($websiteId);
        if ($ok) {
            $status['last_ok_at'] = $now;
            $status['last_error'] = '';
        } else {
            $status['last_error'] = mb_substr($message, 0, 500);
            $status['last_error_at'] = $now;
        }
        $this->flagManager->saveFlag('tiktokshop_w' . $websiteId . '_contact', $status);
    }

    /**
     * @return array{last_ok_at:int,last_error:string,last_error_at:int}
     */
    public function contact(int $websiteId): array
    {
        $stored = $this->flagManager->getFlagData('tiktokshop_w' . $websiteId . '_contact');
        $stored = is_array($stored) ? $stored : [];
        return [
            'last_ok_at' => (int) ($stored['last_ok_at'] ?? 0),
            'last_error' => (string) ($stored['last_error'] ?? ''),
            'last_error_at' => (int) ($stored['last_error_at'] ?? 0),
        ];
    }

    public function recordCronRun(): void
    {
        $this->flagManager->saveFlag(self::FLAG_CRON, (int) call_user_func($this->clock));
    }

    public function lastCronRun(): int
    {
        return (int) $this->flagManager->getFlagData(self::FLAG_CRON);
    }

    /**
     * A sentence for the merchant when cron is not running, or null when all is well.
     */
    public function cronWarning(): ?string
    {
        $last = $this->lastCronRun();
        $age = (int) call_user_func($this->clock) - $last;
        if (0 === $last) {
            return 'Magento cron has not run the TikTok Shop jobs yet. Orders from TikTok are only created, and failed '
                . 'sends only retried, while cron runs every minute (bin/magento cron:run).';
        }
        if ($age > self::CRON_STALE_AFTER) {
            return sprintf(
                'Magento cron last ran the TikTok Shop jobs %d minutes ago. Orders from TikTok wait until it runs'
                    . ' again; '
                . 'check the crontab of the Magento server (bin/magento cron:run every minute).',
                intdiv($age, 60)
            );
        }
        return null;
    }
}
