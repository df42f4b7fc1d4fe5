<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Model\Catalog;

/**
 * Reduces a Magento description to its content: Page Builder's wrappers (rows, columns, text,
 * html-code elements carrying data-content-type/data-element), its inline <style> blocks and
 * scripts go; text, lists, tables, headings, links and images stay (the hub turns tables and
 * ordered lists into TikTok-safe text). {{media url="..."}} directives become media URLs.
 */
class DescriptionCleaner
{
    private const DROP = ['style', 'script', 'noscript', 'iframe', 'form', 'button', 'input', 'template'];
    private const KEEP_ATTRIBUTES = ['href', 'src', 'alt', 'title', 'colspan', 'rowspan'];

    public function clean(string $html, string $mediaBaseUrl): string
    {
        $html = preg_replace_callback(
            '/\{\{media\s+url\s*=\s*(?:&quot;|"|\')?([^"\'}&]+?)(?:&quot;|"|\')?\s*\}\}/i',
            static fn (array $m): string => rtrim($mediaBaseUrl, '/') . '/' . ltrim(html_entity_decode($m[1]), '/'),
            $html
        ) ?? $html;
        $html = preg_replace('/\{\{[^}]*\}\}/', '', $html) ?? $html;
        if ('' === trim($html)) {
            return '';
        }
        $doc = new \DOMDocument('1.0', 'UTF-8');
        $previous = libxml_use_internal_errors(true);
        $doc->loadHTML(
            '<?xml encoding="UTF-8"?><div id="tts-root">' . $html . '</div>',
            LIBXML_NONET | LIBXML_HTML_NODEFDTD
        );
        libxml_clear_errors();
        libxml_use_internal_errors($previous);
        $root = $doc->getElementById('tts-root');
        if (null === $root) {
            return trim(
                strip_tags($html, '<p><br><ul><ol><li><table><tr><td><th><strong><b><em><i><h2><h3><h4><img><a>')
            );
        }
        $this->walk($root);
        $out = '';
        foreach ($root->childNodes as $child) {
            $out .= $doc->saveHTML($child);
        }
        // Collapse the blank lines left by removed wrappers.
        return trim(preg_replace("/\n\s*\n+/", "\n", $out) ?? $out);
    }

    private function walk(\DOMNode $node): void
    {
        for ($child = $node->firstChild; null !== $child; $child = $next) {
            $next = $child->nextSibling;
            if ($child instanceof \DOMComment) {
                $node->removeChild($child);
                continue;
            }
            if (!$child instanceof \DOMElement) {
                continue;
            }
            $name = strtolower($child->nodeName);
            if (in_array($name, self::DROP, true)) {
                $node->removeChild($child);
                continue;
            }
            $this->walk($child);
            $isWrapper = ('div' === $name || 'span' === $name || 'figure' === $name || 'section' === $name)
                && ($child->hasAttribute('data-content-type') || $child->hasAttribute('data-element')
                    || $child->hasAttribute('data-pb-style') || 'div' === $name);
            if ($isWrapper) {
                while (null !== $child->firstChild) {
                    $node->insertBefore($child->firstChild, $child);
                }
                $node->insertBefore($node->ownerDocument->createTextNode("\n"), $child);
                $node->removeChild($child);
                continue;
            }
            foreach (iterator_to_array($child->attributes) as $attribute) {
                if (!in_array(strtolower($attribute->nodeName), self::KEEP_ATTRIBUTES, true)) {
                    $child->removeAttribute($attribute->nodeName);
                }
            }
        }
    }
}
