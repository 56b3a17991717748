package io.maskstream.alerts;

import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ConfigDefinitions;
import io.maskstream.runtime.config.ConfigException;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.runtime.streams.StreamsMembership;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Configuration of the alerts service ({@code maskstream alerts}). Besides each key's own validator, the
 * constructor checks what one key alone cannot: {@code alerts.k <= alerts.n}.
 */
public final class AlertsConfig extends ServiceConfig {

    /** Largest window (frames) a camera's state may hold. */
    public static final int MAX_WINDOW = 1000;

    public static final String APPLICATION_ID = "alerts.application.id";
    public static final String PROCESSING_GUARANTEE = "alerts.processing.guarantee";
    public static final String COMMIT_INTERVAL_MS = "alerts.commit.interval.ms";
    public static final String STREAM_THREADS = "alerts.stream.threads";
    public static final String STATE_DIR = "alerts.state.dir";
    public static final String LEAVE_GROUP_ON_CLOSE = "alerts.leave.group.on.close";
    public static final String THRESHOLD = "alerts.threshold";
    public static final String K = "alerts.k";
    public static final String N = "alerts.n";
    public static final String QUIET_PERIOD_MS = "alerts.quiet.period.ms";
    public static final String MAX_SPREAD = "alerts.max.spread";
    public static final String INCORRECT_ENABLED = "alerts.incorrect.enabled";
    public static final String WEBHOOK_URL = "alerts.webhook.url";
    public static final String WEBHOOK_AUTHORIZATION = "alerts.webhook.authorization";
    public static final String WEBHOOK_SECRET = "alerts.webhook.secret";
    public static final String WEBHOOK_GROUP_ID = "alerts.webhook.group.id";
    public static final String WEBHOOK_MAX_ATTEMPTS = "alerts.webhook.max.attempts";
    public static final String WEBHOOK_BACKOFF_MS = "alerts.webhook.backoff.ms";
    public static final String WEBHOOK_BACKOFF_MAX_MS = "alerts.webhook.backoff.max.ms";
    public static final String WEBHOOK_TIMEOUT_MS = "alerts.webhook.timeout.ms";
    public static final String WEBHOOK_QUEUE_SIZE = "alerts.webhook.queue.size";

    /** Prefix of the static-membership keys ({@link StreamsMembership#define}): {@code alerts.instance.id}, ... */
    static final String MEMBERSHIP_PREFIX = "alerts";

    public static final ConfigDef DEFINITION = StreamsMembership.define(CommonConfig.define(new ConfigDef()), MEMBERSHIP_PREFIX)
            .define(APPLICATION_ID, Type.STRING, "maskstream-alerts", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Kafka Streams application id: instances with the same id share the classifications partitions "
                            + "(and the per-camera state).")
            .define(PROCESSING_GUARANTEE, Type.STRING, StreamsConfig.EXACTLY_ONCE_V2,
                    ValidString.in(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE), Importance.MEDIUM,
                    "exactly_once_v2 (an alert and the per-camera state it changed are committed together, so a "
                            + "crash never duplicates nor loses an alert) or at_least_once.")
            .define(COMMIT_INTERVAL_MS, Type.LONG, 100L, Range.between(10, 600_000), Importance.LOW,
                    "How often Kafka Streams commits (ends a transaction under exactly-once): the longest an alert "
                            + "waits before read_committed consumers see it.")
            .define(STREAM_THREADS, Type.INT, 1, Range.between(1, 64), Importance.LOW,
                    "Kafka Streams threads in this instance.")
            .define(STATE_DIR, Type.STRING, System.getProperty("java.io.tmpdir") + "/maskstream-streams",
                    new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Kafka Streams state directory (the per-camera episode store lives here; it is rebuilt from its "
                            + "changelog topic when lost).")
            .define(THRESHOLD, Type.DOUBLE, 0.7, probability(), Importance.HIGH,
                    "A frame counts towards an alert when the probability of its mask label is at least this.")
            .define(K, Type.INT, 5, Range.between(1, MAX_WINDOW), Importance.HIGH,
                    "An alert fires when at least this many of a camera's last alerts.n frames match (K of K-of-N); "
                            + "must be <= alerts.n.")
            .define(N, Type.INT, 10, Range.between(1, MAX_WINDOW), Importance.HIGH,
                    "Size of a camera's sliding window, in frames (N of K-of-N).")
            .define(QUIET_PERIOD_MS, Type.LONG, 10_000L, Range.between(0, 7L * 24 * 3600 * 1000), Importance.HIGH,
                    "After an alert, the camera's episode stays open (no new alert of that kind) until no matching "
                            + "frame was captured for this long; measured in the frames' capture time, not the wall clock.")
            .define(MAX_SPREAD, Type.DOUBLE, DebounceRules.NO_SPREAD_LIMIT, probability(), Importance.MEDIUM,
                    "A frame whose mask spread (the event's uncertainty.maskSpread: the standard deviation, across "
                            + "MC-dropout passes or ensemble members, of the mask label's probability) is above this does "
                            + "not count towards an alert, however probable its label; such frames are counted in "
                            + "maskstream_alerts_uncertain_frames_total. Frames without uncertainty (one forward pass: "
                            + "processor.uncertainty.mc.passes 0 and no ensemble) count by alerts.threshold alone. "
                            + "1 (default): off (a spread never exceeds 0.5).")
            .define(INCORRECT_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Also raise INCORRECT_MASK alerts for incorrectly worn masks (debounced separately from NO_MASK).")
            .define(WEBHOOK_URL, Type.STRING, "", optionalHttpUrl(), Importance.MEDIUM,
                    "Webhook receiving every committed alert as an HTTP POST of JSON; empty: no webhook.")
            .define(WEBHOOK_AUTHORIZATION, Type.PASSWORD, "", Importance.LOW,
                    "Value of the Authorization header sent to the webhook (e.g. 'Bearer ...'); empty: none. Never logged.")
            .define(WEBHOOK_SECRET, Type.PASSWORD, "", Importance.MEDIUM,
                    "Shared secret signing every webhook POST: headers X-Maskstream-Timestamp (unix seconds) and "
                            + "X-Maskstream-Signature (v1=hex HMAC-SHA256 of timestamp + '.' + body), checked by "
                            + "WebhookSignature.verify on the receiver. Empty: unsigned. Never logged.")
            .define(WEBHOOK_GROUP_ID, Type.STRING, "maskstream-alerts-webhook", new ConfigDef.NonEmptyString(),
                    Importance.LOW, "Consumer group of the webhook feed, which reads the alerts topic read_committed; "
                            + "instances sharing it split the alerts between them.")
            .define(WEBHOOK_MAX_ATTEMPTS, Type.INT, 5, Range.between(1, 100), Importance.LOW,
                    "Attempts to deliver one alert before it is counted as failed (it stays on the alerts topic).")
            .define(WEBHOOK_BACKOFF_MS, Type.LONG, 500L, Range.between(1, 600_000), Importance.LOW,
                    "Wait before the first retry; doubled after every failed attempt, up to alerts.webhook.backoff.max.ms.")
            .define(WEBHOOK_BACKOFF_MAX_MS, Type.LONG, 30_000L, Range.between(1, 3_600_000), Importance.LOW,
                    "Longest wait between two attempts.")
            .define(WEBHOOK_TIMEOUT_MS, Type.LONG, 5_000L, Range.between(1, 600_000), Importance.LOW,
                    "Connect timeout and response timeout of one webhook request.")
            .define(WEBHOOK_QUEUE_SIZE, Type.INT, 1000, Range.between(1, 1_000_000), Importance.LOW,
                    "Alerts waiting for the webhook; when full, the webhook feed stops reading the alerts topic until "
                            + "half of them are posted (nothing is dropped).");

    public AlertsConfig(ConfigSource source) {
        super(DEFINITION, source);
        if (getInt(K) > getInt(N)) {
            throw new ConfigException("Invalid value " + getInt(K) + " for configuration " + K + ": must not exceed "
                    + N + " (" + getInt(N) + ") (from " + source.originOf(K) + ", " + N + " from " + source.originOf(N) + ")");
        }
    }

    /** The debounce rules these settings describe. */
    DebounceRules rules() {
        return new DebounceRules(getDouble(THRESHOLD), getInt(K), getInt(N), getLong(QUIET_PERIOD_MS),
                getBoolean(INCORRECT_ENABLED), getDouble(MAX_SPREAD));
    }

    /** The webhook's URL, if one is configured. */
    public Optional<URI> webhookUrl() {
        String url = getString(WEBHOOK_URL).trim();
        return url.isEmpty() ? Optional.empty() : Optional.of(URI.create(url));
    }

    /** The Authorization header value for the webhook, if any. */
    Optional<String> webhookAuthorization() {
        Password p = getPassword(WEBHOOK_AUTHORIZATION);
        return p == null || p.value().isBlank() ? Optional.empty() : Optional.of(p.value());
    }

    /** The secret signing webhook requests ({@link WebhookSignature}), if any. */
    Optional<String> webhookSecret() {
        Password p = getPassword(WEBHOOK_SECRET);
        return p == null || p.value().isEmpty() ? Optional.empty() : Optional.of(p.value());
    }

    Duration webhookTimeout() {
        return Duration.ofMillis(getLong(WEBHOOK_TIMEOUT_MS));
    }

    private static ConfigDef.Validator probability() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            if (!(value instanceof Number n) || Double.isNaN(n.doubleValue()) || n.doubleValue() < 0 || n.doubleValue() > 1) {
                throw new org.apache.kafka.common.config.ConfigException(name, value, "must be a probability in [0, 1]");
            }
        }, () -> "[0,...,1]");
    }

    private static ConfigDef.Validator optionalHttpUrl() {
        ConfigDef.Validator url = CommonConfig.httpUrl();
        return ConfigDef.LambdaValidator.with((name, value) -> {
            if (value != null && !value.toString().isBlank()) {
                url.ensureValid(name, value.toString().trim());
            }
        }, () -> "empty or an http(s) URL");
    }

    /** Publishes the alerts service's keys to the shared configuration catalogue. */
    /** The static membership this instance keeps in its group. */
    public StreamsMembership membership() {
        return StreamsMembership.of(this, MEMBERSHIP_PREFIX, getString(APPLICATION_ID), getString(STATE_DIR));
    }

    public static final class Definitions implements ConfigDefinitions {
        @Override
        public String service() {
            return "alerts";
        }

        @Override
        public ConfigDef definition() {
            return DEFINITION;
        }
    }
}
