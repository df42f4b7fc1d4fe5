<?php
/**
 * WooCommerce → Settings → TikTok Shop.
 *
 * @package TikTokShopSync
 */

namespace TikTokShopSync\Admin;

use TikTokShopSync\Options;
use TikTokShopSync\Plugin;

defined( 'ABSPATH' ) || exit;

/**
 * The settings tab: hub URL, key, write-only secret, sync switch, and a status panel with the
 * connection state, last contact, delivery backlog and the catalog export's progress.
 *
 * This file is loaded only from the woocommerce_get_settings_pages filter, when WC_Settings_Page exists.
 */
class SettingsTab extends \WC_Settings_Page {

	/**
	 * Plugin.
	 *
	 * @var Plugin
	 */
	private $plugin;

	/**
	 * Constructor.
	 *
	 * @param Plugin $plugin Plugin.
	 */
	public function __construct( Plugin $plugin ) {
		$this->plugin = $plugin;
		$this->id     = 'tiktok_shop';
		$this->label  = __( 'TikTok Shop', 'tiktok-shop-sync' );
		parent::__construct();
		add_action( 'woocommerce_admin_field_tts_secret', array( $this, 'render_secret_field' ) );
		add_action( 'woocommerce_admin_field_tts_status', array( $this, 'render_status_panel' ) );
	}

	/**
	 * Fields of the tab.
	 *
	 * @return array[]
	 */
	public function get_settings_for_default_section() {
		return array(
			array(
				'title' => __( 'Connection to the sync hub', 'tiktok-shop-sync' ),
				'type'  => 'title',
				'desc'  => __( 'Create a store connection on the hub ("hub store add" or the hub\'s settings page) and paste its URL, key and secret here. The store only calls the hub; the hub never calls the store.', 'tiktok-shop-sync' ),
				'id'    => 'tts_sync_connection_section',
			),
			array(
				'title'             => __( 'Hub URL', 'tiktok-shop-sync' ),
				'id'                => Options::HUB_URL,
				'type'              => 'url',
				'placeholder'       => 'https://hub.example.com',
				'default'           => '',
				'custom_attributes' => $this->plugin->options()->credentials_from_constants() ? array( 'disabled' => 'disabled' ) : array(),
			),
			array(
				'title'   => __( 'Key', 'tiktok-shop-sync' ),
				'id'      => Options::KEY_ID,
				'type'    => 'text',
				'default' => '',
			),
			array(
				'title' => __( 'Secret', 'tiktok-shop-sync' ),
				'id'    => Options::SECRET,
				'type'  => 'tts_secret',
			),
			array(
				'title'   => __( 'Synchronisation', 'tiktok-shop-sync' ),
				'desc'    => __( 'Send product, price and stock changes and import TikTok Shop orders', 'tiktok-shop-sync' ),
				'id'      => Options::ENABLED,
				'type'    => 'checkbox',
				'default' => 'yes',
			),
			array(
				'type' => 'sectionend',
				'id'   => 'tts_sync_connection_section',
			),
			array(
				'title' => __( 'Status', 'tiktok-shop-sync' ),
				'type'  => 'tts_status',
				'id'    => 'tts_sync_status_panel',
			),
		);
	}

	/**
	 * Fields for older WooCommerce versions that call get_settings().
	 *
	 * @param string $current_section Section id.
	 * @return array[]
	 */
	public function get_settings( $current_section = '' ) {
		return $this->get_settings_for_default_section();
	}

	/**
	 * Saves the tab; the secret is kept unless a new one is typed.
	 *
	 * @return void
	 */
	public function save() {
		$fields = array_filter(
			$this->get_settings_for_default_section(),
			static function ( $field ) {
				return ! in_array( $field['type'], array( 'tts_secret', 'tts_status' ), true );
			}
		);
		\WC_Admin_Settings::save_fields( array_values( $fields ) );

		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- WC_Admin_Settings checked the nonce before calling save().
		$secret = isset( $_POST[ Options::SECRET ] ) ? sanitize_text_field( wp_unslash( $_POST[ Options::SECRET ] ) ) : '';
		$this->plugin->options()->save_secret( $secret );

		$url = (string) get_option( Options::HUB_URL, '' );
		if ( '' !== $url && ! preg_match( '#^https?://[^/\s]+#i', $url ) ) {
			\WC_Admin_Settings::add_error( __( 'The hub URL must start with https:// (or http:// for a hub on this machine).', 'tiktok-shop-sync' ) );
		}

		$this->plugin->reset();
		if ( $this->plugin->options()->is_active() ) {
			$this->plugin->queue_store_update();
			$this->plugin->scheduler()->ensure_poll();
		} else {
			$this->plugin->scheduler()->unschedule_all();
		}
	}

	/**
	 * Renders the write-only secret field: the stored value is never printed.
	 *
	 * @param array $field Field definition.
	 * @return void
	 */
	public function render_secret_field( $field ) {
		$options = $this->plugin->options();
		$note    = $options->has_secret()
			? __( 'A secret is saved. Leave this empty to keep it, or type a new one to replace it.', 'tiktok-shop-sync' )
			: __( 'Not set yet. It is shown once by the hub when the store connection is created.', 'tiktok-shop-sync' );
		if ( defined( 'TTS_SYNC_SECRET' ) ) {
			$note = __( 'Set by TTS_SYNC_SECRET in wp-config.php.', 'tiktok-shop-sync' );
		}
		?>
		<tr valign="top">
			<th scope="row" class="titledesc"><label for="<?php echo esc_attr( $field['id'] ); ?>"><?php echo esc_html( $field['title'] ); ?></label></th>
			<td class="forminp">
				<input type="password" name="<?php echo esc_attr( $field['id'] ); ?>" id="<?php echo esc_attr( $field['id'] ); ?>" value="" autocomplete="new-password" placeholder="<?php echo $options->has_secret() ? esc_attr( '••••••••' ) : ''; ?>" <?php disabled( defined( 'TTS_SYNC_SECRET' ) ); ?> />
				<p class="description"><?php echo esc_html( $note ); ?></p>
			</td>
		</tr>
		<?php
	}

	/**
	 * Renders connection state, last contact, backlog, refused events and catalog progress with the action buttons.
	 *
	 * @return void
	 */
	public function render_status_panel() {
		$options    = $this->plugin->options();
		$connection = $options->connection();
		$last       = $options->last_contact();
		$outbox     = $this->plugin->outbox();
		$progress   = $this->plugin->catalog_export()->progress();
		$state      = __( 'Not tested yet', 'tiktok-shop-sync' );
		if ( ! $options->is_configured() ) {
			$state = __( 'Not configured: enter the hub URL, key and secret.', 'tiktok-shop-sync' );
		} elseif ( isset( $connection['ok'] ) ) {
			$state = $connection['ok'] ? __( 'Connected', 'tiktok-shop-sync' ) : __( 'Error: ', 'tiktok-shop-sync' ) . ( isset( $connection['message'] ) ? $connection['message'] : '' );
		}
		$details = isset( $connection['details'] ) && is_array( $connection['details'] ) ? $connection['details'] : array();
		echo '</table><h2>' . esc_html__( 'Status', 'tiktok-shop-sync' ) . '</h2><table class="form-table" id="tts-sync-status">';
		$this->status_row( __( 'Connection', 'tiktok-shop-sync' ), $state );
		if ( ! empty( $details['store_name'] ) ) {
			$this->status_row( __( 'Hub store', 'tiktok-shop-sync' ), $details['store_name'] );
		}
		if ( isset( $details['tiktok'] ) && is_array( $details['tiktok'] ) ) {
			$tiktok = $details['tiktok'];
			$this->status_row(
				__( 'TikTok Shop', 'tiktok-shop-sync' ),
				! empty( $tiktok['connected'] )
					? trim( ( isset( $tiktok['shop_name'] ) ? $tiktok['shop_name'] : '' ) . ' ' . ( isset( $tiktok['region'] ) ? '(' . $tiktok['region'] . ', ' . ( isset( $tiktok['currency'] ) ? $tiktok['currency'] : '' ) . ')' : '' ) )
					: __( 'Not connected on the hub yet', 'tiktok-shop-sync' )
			);
		}
		$this->status_row(
			__( 'Last contact', 'tiktok-shop-sync' ),
			$last ? sprintf(
				/* translators: %s: human time difference. */
				__( '%s ago', 'tiktok-shop-sync' ),
				human_time_diff( $last, time() )
			) : __( 'Never', 'tiktok-shop-sync' )
		);
		$this->status_row( __( 'Changes waiting for delivery', 'tiktok-shop-sync' ), (string) $outbox->pending_count() );
		foreach ( $outbox->recent_rejections( 5 ) as $row ) {
			$this->status_row( __( 'Refused by the hub', 'tiktok-shop-sync' ), $row['event_type'] . ' ' . $row['dedupe_key'] . ': ' . $row['last_error'] );
		}
		if ( $progress ) {
			$this->status_row(
				__( 'Whole catalog', 'tiktok-shop-sync' ),
				sprintf(
					/* translators: 1: products queued, 2: products in the catalog, 3: state. */
					__( '%1$d of %2$d products queued (%3$s)', 'tiktok-shop-sync' ),
					isset( $progress['queued'] ) ? (int) $progress['queued'] : 0,
					isset( $progress['total'] ) ? (int) $progress['total'] : 0,
					'done' === ( isset( $progress['state'] ) ? $progress['state'] : '' ) ? __( 'finished', 'tiktok-shop-sync' ) : __( 'running', 'tiktok-shop-sync' )
				)
			);
		}
		echo '<tr><th></th><td>';
		foreach ( AdminActions::buttons() as $action => $label ) {
			printf( '<a class="button" href="%1$s">%2$s</a> ', esc_url( AdminActions::url( $action ) ), esc_html( $label ) );
		}
		echo '</td></tr>';
	}

	/**
	 * One row of the status table.
	 *
	 * @param string $label Label.
	 * @param string $value Value.
	 * @return void
	 */
	private function status_row( $label, $value ) {
		printf( '<tr><th scope="row">%1$s</th><td>%2$s</td></tr>', esc_html( $label ), esc_html( $value ) );
	}
}
