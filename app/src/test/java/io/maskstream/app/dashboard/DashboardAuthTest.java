package io.maskstream.app.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.runtime.config.ConfigException;
import io.maskstream.runtime.config.ConfigSource;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Who may see the dashboard: the start-up refusal beyond loopback, and the check of each request's credentials. */
class DashboardAuthTest {

    static DashboardConfig config(String... keyValues) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put(keyValues[i], keyValues[i + 1]);
        }
        return new DashboardConfig(ConfigSource.of(values));
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void beyondLoopbackWithFramesAndNoCredentialsStartUpIsRefusedNamingTheKeys() {
        assertThatThrownBy(() -> config(DashboardConfig.HOST, "0.0.0.0", DashboardConfig.SHOW_FRAMES, "true"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("dashboard.host=0.0.0.0").hasMessageContaining("camera frames")
                .hasMessageContaining("dashboard.auth.token")
                .hasMessageContaining("dashboard.auth.basic.user").hasMessageContaining("dashboard.auth.basic.password");
        assertThatThrownBy(() -> config(DashboardConfig.HOST, "::", DashboardConfig.SHOW_FRAMES, "true"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("dashboard.host=::");
    }

    @Test
    void beyondLoopbackWithoutFramesIsRefusedToo() {
        assertThatThrownBy(() -> config(DashboardConfig.HOST, "0.0.0.0"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("dashboard.auth.token")
                .hasMessageNotContaining("camera frames");
    }

    @Test
    void beyondLoopbackWithCredentialsOrOnLoopbackWithoutThemStarts() {
        assertThat(config(DashboardConfig.HOST, "0.0.0.0", DashboardConfig.SHOW_FRAMES, "true",
                DashboardConfig.AUTH_TOKEN, "t0k3n").authentication().required()).isTrue();
        assertThat(config(DashboardConfig.HOST, "0.0.0.0", DashboardConfig.AUTH_BASIC_USER, "ops",
                DashboardConfig.AUTH_BASIC_PASSWORD, "pw").authentication().required()).isTrue();
        for (String loopback : new String[] {"127.0.0.1", "127.0.0.2", "::1", "localhost"}) {
            assertThat(config(DashboardConfig.HOST, loopback, DashboardConfig.SHOW_FRAMES, "true").authentication()
                    .required()).as(loopback).isFalse();
        }
        assertThat(DashboardConfig.loopback("0.0.0.0")).isFalse();
        assertThat(DashboardConfig.loopback("192.0.2.7")).isFalse();
    }

    @Test
    void halfABasicCredentialIsRefusedNamingTheMissingKey() {
        assertThatThrownBy(() -> config(DashboardConfig.AUTH_BASIC_USER, "ops"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("Missing configuration dashboard.auth.basic.password");
        assertThatThrownBy(() -> config(DashboardConfig.AUTH_BASIC_PASSWORD, "pw"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("Missing configuration dashboard.auth.basic.user");
    }

    @Test
    void secretsAreNeverPrinted() {
        DashboardConfig c = config(DashboardConfig.AUTH_TOKEN, "t0k3n-secret", DashboardConfig.AUTH_BASIC_USER, "ops",
                DashboardConfig.AUTH_BASIC_PASSWORD, "pw-secret");
        assertThat(c.toString()).doesNotContain("t0k3n-secret").doesNotContain("pw-secret");
        assertThat(c.authentication().toString()).isEqualTo("Basic or Bearer token");
        assertThat(config().authentication().toString()).isEqualTo("none");
    }

    @Test
    void aBearerTokenOrBasicCredentialsPassAndAnythingElseFails() {
        DashboardAuth auth = new DashboardAuth("t0k3n", "ops", "pa:ss wörd");
        assertThat(auth.allows("Bearer t0k3n")).isTrue();
        assertThat(auth.allows("bearer  t0k3n ")).as("scheme is case-insensitive").isTrue();
        assertThat(auth.allows(basic("ops", "pa:ss wörd"))).isTrue();

        assertThat(auth.allows(null)).isFalse();
        assertThat(auth.allows("")).isFalse();
        assertThat(auth.allows("Bearer")).isFalse();
        assertThat(auth.allows("Bearer t0k3")).isFalse();
        assertThat(auth.allows("Bearer t0k3n0")).isFalse();
        assertThat(auth.allows("Token t0k3n")).isFalse();
        assertThat(auth.allows(basic("ops", "pa:ss word"))).isFalse();
        assertThat(auth.allows(basic("op", "pa:ss wörd"))).isFalse();
        assertThat(auth.allows("Basic %%%not-base64")).isFalse();
        assertThat(auth.allows("Basic " + "t0k3n")).as("the token is not a Basic credential").isFalse();
        assertThat(auth.challenges()).containsExactly("Basic realm=\"maskstream dashboard\", charset=\"UTF-8\"",
                "Bearer realm=\"maskstream dashboard\"");
    }

    @Test
    void oneSchemeAloneAcceptsOnlyThatScheme() {
        DashboardAuth token = new DashboardAuth("t0k3n", "", "");
        assertThat(token.allows("Bearer t0k3n")).isTrue();
        assertThat(token.allows(basic("", "t0k3n"))).isFalse();
        assertThat(token.challenges()).containsExactly("Bearer realm=\"maskstream dashboard\"");
        DashboardAuth basic = new DashboardAuth("", "ops", "pw");
        assertThat(basic.allows(basic("ops", "pw"))).isTrue();
        assertThat(basic.allows("Bearer pw")).isFalse();
        DashboardAuth open = new DashboardAuth("", "", "");
        assertThat(open.required()).isFalse();
        assertThat(open.allows(null)).isTrue();
    }
}
