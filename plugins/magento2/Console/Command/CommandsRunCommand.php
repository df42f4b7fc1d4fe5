<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Console\Command;

use Magento\Framework\App\Area;
use Magento\Framework\App\State;
use Symfony\Component\Console\Command\Command;
use Symfony\Component\Console\Input\InputInterface;
use Symfony\Component\Console\Input\InputOption;
use Symfony\Component\Console\Output\OutputInterface;
use TikTokShopSync\Connector\Api\CommandRunnerInterface;
use TikTokShopSync\Connector\Model\Outbox\Pusher;

/**
 * bin/magento tiktokshop:commands:run [--website=ID] [--wait=SECONDS]
 */
class CommandsRunCommand extends Command
{
    public const NAME = 'tiktokshop:commands:run';

    public function __construct(
        private readonly CommandRunnerInterface $runner,
        private readonly Pusher $pusher,
        private readonly State $appState
    ) {
        parent::__construct(self::NAME);
    }

    protected function configure(): void
    {
        $this->setDescription(
            'Polls the TikTok Shop Sync hub for commands (TikTok orders, cancellations, catalog resends) and carries'
                . ' them out.'
        );
        $this->addOption(
            'website',
            null,
            InputOption::VALUE_REQUIRED,
            'Website id (default: every website with sync enabled)'
        );
        $this->addOption('wait', null, InputOption::VALUE_REQUIRED, 'Seconds to wait for a command (0-30)', '0');
        parent::configure();
    }

    protected function execute(InputInterface $input, OutputInterface $output): int
    {
        $website = $input->getOption('website');
        $websiteId = null === $website ? null : (int) $website;
        // bin/magento sets no area; orders are placed as the cron job places them.
        $results = $this->appState->emulateAreaCode(Area::AREA_CRONTAB, function () use ($input, $websiteId): array {
            $results = $this->runner->run($websiteId, (int) $input->getOption('wait'), true);
            $this->pusher->pushScheduled();
            return $results;
        });
        if (!$results) {
            $output->writeln('<error>No website has TikTok Shop sync enabled with a hub URL, key and secret.</error>');
            return 1;
        }
        $failed = false;
        foreach ($results as $websiteId => $summary) {
            $output->writeln(sprintf(
                'Website %d: %d received, %d done, %d failed, %d left for another worker%s',
                $websiteId,
                $summary['received'],
                $summary['done'],
                $summary['failed'],
                $summary['deferred'],
                '' !== $summary['error'] ? ' — error: ' . $summary['error'] : ''
            ));
            $failed = $failed || '' !== $summary['error'];
        }
        return $failed ? 1 : 0;
    }
}
