<?php

// Declaration stub for tests: the name, kind and the signatures the module uses, as in Magento Open Source 2.4.7-p7.

namespace Magento\Config\Block\System\Config\Form;

class Field extends \Magento\Framework\DataObject
{
    public function __construct(\Magento\Backend\Block\Template\Context $context, array $data = [], ?\Magento\Framework\View\Helper\SecureHtmlRenderer $secureRenderer = null)
    {
        parent::__construct($data);
    }
    protected function _getElementHtml(\Magento\Framework\Data\Form\Element\AbstractElement $element)
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
    public function getUrl($route = '', $params = [])
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
    public function getRequest()
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
    public function escapeHtml($data, $allowedTags = null)
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
    public function escapeHtmlAttr($string, $escapeSingleQuote = true)
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
    public function escapeJs($string)
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
    public function getFormKey()
    {
        throw new \LogicException('Declaration stub: a test replaces this method.');
    }
}
