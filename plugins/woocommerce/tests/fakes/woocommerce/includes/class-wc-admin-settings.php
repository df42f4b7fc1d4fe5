<?php
/**
 * WC_Settings_Page and WC_Admin_Settings: the parts a settings tab uses.
 *
 * @package TikTokShopSync\Tests
 */

defined( 'ABSPATH' ) || exit;

abstract class WC_Settings_Page {
	protected $id    = '';
	protected $label = '';
	public function __construct() {
		add_filter( 'woocommerce_settings_tabs_array', array( $this, 'add_settings_page' ), 20 );
		add_action( 'woocommerce_settings_' . $this->id, array( $this, 'output' ) );
		add_action( 'woocommerce_settings_save_' . $this->id, array( $this, 'save' ) );
	}
	public function get_id() { return $this->id; }
	public function get_label() { return $this->label; }
	public function add_settings_page( $pages ) {
		$pages[ $this->id ] = $this->label;
		return $pages;
	}
	public function get_settings_for_default_section() { return array(); }
	public function output() {
		WC_Admin_Settings::output_fields( $this->get_settings_for_default_section() );
	}
	public function save() {
		WC_Admin_Settings::save_fields( $this->get_settings_for_default_section() );
	}
}

class WC_Admin_Settings {
	public static $errors = array();
	public static function add_error( $text ) {
		self::$errors[] = $text;
	}
	public static function get_option( $option_name, $default = '' ) {
		$value = get_option( $option_name, null );
		return null === $value ? $default : $value;
	}
	public static function output_fields( $options ) {
		foreach ( $options as $value ) {
			$id = isset( $value['id'] ) ? $value['id'] : '';
			switch ( $value['type'] ) {
				case 'title':
					echo '<h2>' . esc_html( $value['title'] ) . '</h2><table class="form-table">';
					break;
				case 'sectionend':
					echo '</table>';
					break;
				case 'text':
				case 'password':
				case 'url':
				case 'email':
					$option_value = self::get_option( $id, isset( $value['default'] ) ? $value['default'] : '' );
					echo '<tr><th><label for="' . esc_attr( $id ) . '">' . esc_html( $value['title'] ) . '</label></th><td><input name="' . esc_attr( $id ) . '" id="' . esc_attr( $id ) . '" type="' . esc_attr( $value['type'] ) . '" value="' . esc_attr( $option_value ) . '" /></td></tr>';
					break;
				case 'checkbox':
					$option_value = self::get_option( $id, isset( $value['default'] ) ? $value['default'] : 'no' );
					echo '<tr><th>' . esc_html( $value['title'] ) . '</th><td><input name="' . esc_attr( $id ) . '" id="' . esc_attr( $id ) . '" type="checkbox" value="1" ' . checked( $option_value, 'yes', false ) . ' /></td></tr>';
					break;
				default:
					do_action( 'woocommerce_admin_field_' . $value['type'], $value );
			}
		}
	}
	public static function save_fields( $options, $data = null ) {
		$data = null === $data ? $_POST : $data; // phpcs:ignore
		foreach ( $options as $option ) {
			if ( empty( $option['id'] ) || in_array( $option['type'], array( 'title', 'sectionend' ), true ) ) {
				continue;
			}
			$raw = isset( $data[ $option['id'] ] ) ? wp_unslash( $data[ $option['id'] ] ) : null;
			if ( 'checkbox' === $option['type'] ) {
				$value = '1' === $raw || 'yes' === $raw ? 'yes' : 'no';
			} else {
				$value = wc_clean( $raw );
			}
			if ( is_null( $value ) ) {
				continue;
			}
			update_option( $option['id'], $value );
		}
		return true;
	}
}
