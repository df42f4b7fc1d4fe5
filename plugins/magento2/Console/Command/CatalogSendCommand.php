<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Console\Command;

use Magento\Framework\App\Area;
use Magento\Framework\App\State;
use Symfony\Component\Console\Command\Command;
use Symfony\Component\Console\Input\InputInterface;
use Symfony\Component\Console\Input\InputOption;
use Symfony\Component\Console\Output\OutputInterface;
use TikTokShopSync\Connector\Api\CatalogSenderInterface;
use TikTokShopSync\Connector\Api\OutboxPusherInterface;
use TikTokShopSync\Connector\Model\Config;

/**
 * bin/magento tiktokshop:catalog:send [--website=ID] [--product=ID ...]
 */
class CatalogSendCommand extends Command
{
    public const NAME = 'tiktokshop:catalog:send';

    public function __construct(
        private readonly CatalogSenderInterface $sender,
        private readonly OutboxPusherInterface $pusher,
        private readonly Config $config,
        private readonly State $appState
    ) {
        parent::__construct(self::NAME);
    }

    protected function configure(): void
    {
        $this->setDescription('Sends the catalog (or some products) to the TikTok Shop Sync hub again.');
        $this->addOption(
            'website',
            null,
            InputOption::VALUE_REQUIRED,
            'Website id (default: every website with sync enabled)'
        );
        $this->addOption(
            'product',
            null,
            InputOption::VALUE_REQUIRED | InputOption::VALUE_IS_ARRAY,
            'Product id (repeatable)'
        );
        parent::configure();
    }

    protected function execute(InputInterface $input, OutputInterface $output): int
    {
        return $this->appState->emulateAreaCode(Area::AREA_CRONTAB, fn (): int => $this->send($input, $output));
    }

    private function send(InputInterface $input, OutputInterface $output): int
    {
        $website = $input->getOption('website');
        $websites = null === $website ? $this->config->enabledWebsiteIds() : [(int) $website];
        $products = $input->getOption('product') ?: null;
        if (!$websites) {
            $output->writeln('<error>No website has TikTok Shop sync enabled with a hub URL, key and secret.</error>');
            return 1;
        }
        $failed = false;
        foreach ($websites as $websiteId) {
            if (!$this->config->isEnabled($websiteId)) {
                $output->writeln(
                    sprintf('<error>Website %d does not have TikTok Shop sync enabled.</error>', $websiteId)
                );
                $failed = true;
                continue;
            }
            $count = $this->sender->send($websiteId, $products ? array_map('intval', $products) : null);
            $summary = $this->pusher->flush($websiteId)[$websiteId] ?? [
                'delivered' => 0,
                'rejected' => 0,
                'deferred' => 0,
                'error' => '',
            ];
            $output->writeln(sprintf(
                'Website %d: %d products queued; %d events delivered, %d refused, %d waiting%s',
                $websiteId,
                $count,
                $summary['delivered'],
                $summary['rejected'],
                $summary['deferred'],
                '' !== $summary['error'] ? ' — hub: ' . $summary['error'] . ' (cron sends them when it answers)' : ''
            ));
        }
        return $failed ? 1 : 0;
    }
}
