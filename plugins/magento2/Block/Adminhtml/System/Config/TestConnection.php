<?php

declare(strict_types=1);

namespace TikTokShopSync\Connector\Block\Adminhtml\System\Config;

use Magento\Config\Block\System\Config\Form\Field;
use Magento\Framework\Data\Form\Element\AbstractElement;

/**
 * The "Test connection" button: posts the website's scope (and the URL and key as typed) to the
 * admin controller and shows the hub's answer under the button.
 */
class TestConnection extends Field
{
    protected function _getElementHtml(AbstractElement $element)
    {
        $url = $this->getUrl(
            'tiktokshop/connection/test',
            ['website' => (int) $this->getRequest()->getParam('website')]
        );
        $id = $element->getHtmlId();
        $config = json_encode(
            ['url' => $url, 'formKey' => $this->getFormKey(), 'result' => $id . '_result'],
            JSON_HEX_TAG | JSON_HEX_APOS | JSON_HEX_QUOT | JSON_HEX_AMP
        );
        return '<button type="button" class="action-default"'
            . ' id="' . $this->escapeHtmlAttr($id) . '" data-tts=\'' . $config . '\''
            . ' onclick="require([\'jquery\'], function ($)'
                . ' { var c = $(\'#' . $this->escapeJs($id) . '\').data(\'tts\');'
            . ' $.post(c.url, {form_key: c.formKey, hub_url: $(\'#tiktokshop_connection_hub_url\').val(),'
            . ' key_id: $(\'#tiktokshop_connection_key_id\').val()}).done(function (r) { $(\'#\' +'
                . ' c.result).text(r.message)'
            . '.css(\'color\', r.ok ? \'#185b00\' : \'#e22626\'); }); });">'
            . $this->escapeHtml(
                __('Test connection')
            ) . '</button><div id="' . $this->escapeHtmlAttr($id . '_result') . '"></div>';
    }
}
