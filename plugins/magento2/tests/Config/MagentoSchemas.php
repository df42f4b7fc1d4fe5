<?php

declare(strict_types=1);

namespace TikTokShopSync\ConnectorTests\Config;

/**
 * Validates XML against Magento's own XSDs (tests/fixtures/magento-xsd), resolving urn:magento:
 * names as Magento's UrnResolver does.
 */
final class MagentoSchemas
{
    public const DIR = __DIR__ . '/../fixtures/magento-xsd';

    public static function path(string $urn): string
    {
        if (preg_match('#^urn:magento:(framework|framework-message-queue):(.+)$#', $urn, $m)) {
            return self::DIR . '/' . $m[1] . '/' . $m[2];
        }
        if (preg_match('#^urn:magento:module:Magento_([A-Za-z]+):(.+)$#', $urn, $m)) {
            $package = 'module-' . strtolower((string) preg_replace('/(?<!^)[A-Z]/', '-$0', $m[1]));
            return self::DIR . '/' . $package . '/' . $m[2];
        }
        throw new \InvalidArgumentException('Not a Magento schema URN: ' . $urn);
    }

    /**
     * The schema a Magento XML file names.
     */
    public static function schemaOf(string $file): string
    {
        $doc = new \DOMDocument();
        $doc->load($file);
        $urn = $doc->documentElement->getAttributeNS(
            'http://www.w3.org/2001/XMLSchema-instance',
            'noNamespaceSchemaLocation'
        );
        if ('' === $urn) {
            throw new \RuntimeException("$file names no schema (xsi:noNamespaceSchemaLocation).");
        }
        return $urn;
    }

    /**
     * @return string[] libxml's messages; empty when the document is valid.
     */
    public static function validate(string $xml, string $urn): array
    {
        libxml_set_external_entity_loader(static function ($public, $system, $context) {
            if (is_string($system) && str_starts_with($system, 'urn:magento:')) {
                return self::path($system);
            }
            return $system;
        });
        $previous = libxml_use_internal_errors(true);
        libxml_clear_errors();
        try {
            $doc = new \DOMDocument();
            if (!$doc->loadXML($xml)) {
                return array_map(static fn ($e) => trim($e->message), libxml_get_errors());
            }
            $doc->schemaValidate(self::path($urn));
            return array_map(static fn ($e) => 'line ' . $e->line . ': ' . trim($e->message), libxml_get_errors());
        } finally {
            libxml_clear_errors();
            libxml_use_internal_errors($previous);
            libxml_set_external_entity_loader(null);
        }
    }
}
