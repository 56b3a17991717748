package io.maskstream.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.runtime.config.ConfigException;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.runtime.config.ServiceConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertsConfigTest {

    static AlertsConfig config(Map<String, String> values) {
        return new AlertsConfig(ConfigSource.of(values));
    }

    @Test
    void defaultsAreFiveOfTenAtPointSevenWithATenSecondQuietPeriod() {
        AlertsConfig c = config(Map.of());
        assertThat(c.rules()).isEqualTo(new DebounceRules(0.7, 5, 10, 10_000, true));
        assertThat(c.getString(AlertsConfig.APPLICATION_ID)).isEqualTo("maskstream-alerts");
        assertThat(c.getString(AlertsConfig.PROCESSING_GUARANTEE)).isEqualTo("exactly_once_v2");
        assertThat(c.webhookUrl()).isEmpty();
    }

    @Test
    void kLargerThanNIsRefusedNamingBothKeys() {
        assertThatThrownBy(() -> config(Map.of(AlertsConfig.K, "11")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("alerts.k").hasMessageContaining("alerts.n");
        assertThat(config(Map.of(AlertsConfig.K, "10")).rules().k()).isEqualTo(10);
    }

    @Test
    void outOfRangeValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> config(Map.of(AlertsConfig.THRESHOLD, "1.5"))).hasMessageContaining("alerts.threshold");
        assertThatThrownBy(() -> config(Map.of(AlertsConfig.THRESHOLD, "NaN"))).hasMessageContaining("alerts.threshold");
        assertThatThrownBy(() -> config(Map.of(AlertsConfig.K, "0"))).hasMessageContaining("alerts.k");
        assertThatThrownBy(() -> config(Map.of(AlertsConfig.MAX_SPREAD, "1.5"))).hasMessageContaining("alerts.max.spread");
        assertThatThrownBy(() -> config(Map.of(AlertsConfig.MAX_SPREAD, "-0.1"))).hasMessageContaining("alerts.max.spread");
        assertThatThrownBy(() -> config(Map.of(AlertsConfig.N, "1001"))).hasMessageContaining("alerts.n");
        assertThatThrownBy(() -> config(Map.of(AlertsConfig.QUIET_PERIOD_MS, "-1"))).hasMessageContaining("alerts.quiet.period.ms");
        assertThatThrownBy(() -> config(Map.of(AlertsConfig.PROCESSING_GUARANTEE, "exactly_once")))
                .hasMessageContaining("alerts.processing.guarantee");
        assertThatThrownBy(() -> config(Map.of(AlertsConfig.WEBHOOK_URL, "ftp://x/y"))).hasMessageContaining("alerts.webhook.url");
        assertThatThrownBy(() -> config(Map.of(AlertsConfig.WEBHOOK_QUEUE_SIZE, "0"))).hasMessageContaining("alerts.webhook.queue.size");
        assertThatThrownBy(() -> config(Map.of("alerts.treshold", "0.5"))).hasMessageContaining("Did you mean 'alerts.threshold'");
    }

    @Test
    void theWebhookIsOnWhenAUrlIsGiven() {
        AlertsConfig c = config(Map.of(AlertsConfig.WEBHOOK_URL, "https://hooks.example.com/alerts?token=s3cret",
                AlertsConfig.WEBHOOK_AUTHORIZATION, "Bearer abc", AlertsConfig.WEBHOOK_SECRET, "whsec-xyz"));
        assertThat(c.webhookUrl()).hasValueSatisfying(u -> assertThat(u.getHost()).isEqualTo("hooks.example.com"));
        assertThat(c.webhookAuthorization()).contains("Bearer abc");
        assertThat(WebhookSink.Settings.of(c).endpoint()).isEqualTo("https://hooks.example.com/alerts");
        assertThat(c.webhookSecret()).contains("whsec-xyz");
        assertThat(WebhookSink.Settings.of(c).secret()).contains("whsec-xyz");
        assertThat(c.toString()).doesNotContain("abc").doesNotContain("whsec-xyz");
        assertThat(config(Map.of(AlertsConfig.WEBHOOK_URL, "https://h/a")).webhookSecret()).as("unsigned by default").isEmpty();
    }

    @Test
    void theKeysArePublishedToEveryService() {
        assertThat(ServiceConfig.knownKeys()).contains(AlertsConfig.K, AlertsConfig.WEBHOOK_URL, AlertsConfig.QUIET_PERIOD_MS);
        assertThat(ServiceConfig.allDefinitions()).anySatisfy(d -> assertThat(d.service()).isEqualTo("alerts"));
    }
}
