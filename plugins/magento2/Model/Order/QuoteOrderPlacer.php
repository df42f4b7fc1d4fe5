<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Order;

use Magento\Framework\DataObject;
use Magento\Quote\Api\CartManagementInterface;
use Magento\Quote\Api\CartRepositoryInterface;
use Magento\Quote\Model\Quote\Address\RateFactory;
use Magento\Quote\Model\QuoteManagement;
use Magento\Sales\Api\OrderRepositoryInterface;
use Magento\Store\Model\StoreManagerInterface;
use TikTokShopSync\Connector\Model\Config;
use TikTokShopSync\ExtensionClient\Commands\CommandFailure;

/**
 * Creates the Magento order through a guest quote, Magento's standard path (stock, MSI
 * reservations, order numbering, events), with TikTok's figures kept:
 * every line at TikTok's unit price (custom price), a shipping rate "TikTok Shop shipping"
 * at TikTok's shipping amount added to the quote directly (no carrier is offered to shoppers),
 * and the offline payment method "tiktokshop" (TikTok has charged the buyer). No order e-mail is
 * sent (TikTok talks to its buyers): Magento sends it from checkout_submit_all_after, which
 * placeOrder() dispatches and submit() does not. The order is set to processing, ready to ship.
 */
class QuoteOrderPlacer
{
    public const PAYMENT_METHOD = 'tiktokshop';
    public const SHIPPING_CARRIER = 'tiktokshop';
    public const SHIPPING_METHOD = 'tiktokshop_tiktokshop';

    public function __construct(
        private readonly Config $config,
        private readonly StoreManagerInterface $storeManager,
        private readonly CartManagementInterface $cartManagement,
        private readonly CartRepositoryInterface $cartRepository,
        private readonly QuoteManagement $quoteManagement,
        private readonly RateFactory $rateFactory,
        private readonly OrderRepositoryInterface $orderRepository
    ) {
    }

    /**
     * @param array<string,mixed>            $order Canonical ORDER.
     * @param array<int,array<string,mixed>> $lines Lines with their product.
     * @return array{order_id:int,increment_id:string}
     */
    public function place(int $websiteId, array $order, array $lines): array
    {
        $storeId = $this->config->defaultStoreId($websiteId);
        $this->storeManager->setCurrentStore($storeId);
        /** @var \Magento\Quote\Model\Quote $quote */
        $quote = $this->cartRepository->get($this->cartManagement->createEmptyCart());
        $quote->setStoreId($storeId);
        $quote->setCustomerIsGuest(true);
        $address = $this->address($order);
        $quote->setCustomerEmail($address['email']);
        $quote->setCustomerFirstname($address['firstname']);
        $quote->setCustomerLastname($address['lastname']);

        foreach ($lines as $line) {
            $price = (float) $line['unit_price'];
            $item = $quote->addProduct($line['product'], new DataObject(['qty' => (int) $line['quantity']]));
            if (is_string($item)) {
                throw new CommandFailure(
                    CommandFailure::OUT_OF_STOCK,
                    'Magento refused ' . $line['product']->getSku() . ': ' . $item
                );
            }
            $item->setCustomPrice($price);
            $item->setOriginalCustomPrice($price);
            $item->getProduct()->setIsSuperMode(true);
        }

        $quote->getBillingAddress()->addData($address);
        $shipping = $quote->getShippingAddress();
        $shipping->addData($address);
        $shipping->setCollectShippingRates(false);
        $shipping->removeAllShippingRates();
        $rate = $this->rateFactory->create();
        $rate->setCode(self::SHIPPING_METHOD);
        $rate->setCarrier(self::SHIPPING_CARRIER);
        $rate->setCarrierTitle('TikTok Shop');
        $rate->setMethod(self::SHIPPING_CARRIER);
        $rate->setMethodTitle('TikTok Shop shipping');
        $rate->setPrice((float) ($order['totals']['shipping'] ?? 0));
        $shipping->addShippingRate($rate);
        $shipping->setShippingMethod(self::SHIPPING_METHOD);

        $quote->setPaymentMethod(self::PAYMENT_METHOD);
        $quote->setInventoryProcessed(false);
        $quote->getPayment()->importData(['method' => self::PAYMENT_METHOD, 'checks' => []]);
        $quote->collectTotals();
        $this->cartRepository->save($quote);

        $tiktokId = (string) $order['tiktok_order_id'];
        $placed = $this->quoteManagement->submit($quote, [
            'ext_order_id' => $tiktokId,
            'customer_note' => (string) ($order['note'] ?? ('TikTok Shop order ' . $tiktokId)),
        ]);
        if (null === $placed) {
            throw new CommandFailure(
                CommandFailure::PLATFORM_ERROR,
                'Magento did not return an order for the quote.',
                true
            );
        }
        $placed->setState('processing');
        $placed->setStatus('processing');
        $this->orderRepository->save($placed);
        return ['order_id' => (int) $placed->getEntityId(), 'increment_id' => (string) $placed->getIncrementId()];
    }

    /**
     * Magento address fields from the canonical address.
     *
     * @param array<string,mixed> $order
     * @return array<string,mixed>
     */
    public function address(array $order): array
    {
        $address = (array) $order['shipping_address'];
        $buyer = isset($order['buyer']) && is_array($order['buyer']) ? $order['buyer'] : [];
        $name = trim((string) ($address['name'] ?? ($buyer['name'] ?? '')));
        $parts = preg_split('/\s+/', $name, 2) ?: [$name];
        $email = trim((string) ($buyer['email'] ?? ''));
        if (!filter_var($email, FILTER_VALIDATE_EMAIL)) {
            // TikTok often hides the buyer's address; Magento needs one for a guest order.
            $email = preg_replace('/[^A-Za-z0-9]/', '', (string) $order['tiktok_order_id']) . '@tiktokshop.invalid';
        }
        $phone = trim((string) ($address['phone'] ?? ($buyer['phone'] ?? '')));
        return [
            'firstname' => $parts[0] ?: 'TikTok',
            'lastname' => $parts[1] ?? 'Buyer',
            'street' => array_values(
                array_filter([(string) ($address['line1'] ?? ''), (string) ($address['line2'] ?? '')], 'strlen')
            ),
            'city' => (string) $address['city'],
            'region' => (string) ($address['region'] ?? ''),
            'postcode' => (string) $address['postal_code'],
            'country_id' => strtoupper((string) $address['country_code']),
            'telephone' => '' !== $phone ? $phone : '0',
            'email' => $email,
            'save_in_address_book' => 0,
            'same_as_billing' => 1,
        ];
    }
}
