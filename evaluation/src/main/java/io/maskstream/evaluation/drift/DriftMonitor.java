package io.maskstream.evaluation.drift;

import io.maskstream.events.Classification;
import io.maskstream.events.DriftEvent;
import io.maskstream.events.DriftReference;
import io.maskstream.events.DriftScope;
import io.maskstream.events.DriftState;
import io.maskstream.events.DriftStatistic;
import io.maskstream.events.ModelRelease;
import io.maskstream.events.TrainingProfile;
import io.maskstream.evaluation.EvaluationConfig;
import io.maskstream.model.LabelCodec;
import io.maskstream.runtime.Service;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.runtime.streams.SupervisedStreams;
import io.maskstream.schemas.Topic;
import io.maskstream.schemas.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drift alarms on the live stream. For each event on {@code classifications} with a face, the answer (class code and
 * top class probability) joins two count-based sliding windows: its camera's last
 * {@value EvaluationConfig#DRIFT_WINDOW_FRAMES} answers, and its model version's last
 * {@value EvaluationConfig#DRIFT_OVERALL_WINDOW_FRAMES} answers over every camera (repartitioned by version: only
 * the version, the class code and the probability travel). Once a window is full, every new answer recomputes the
 * {@link Psi PSI} of its class mix and of its confidence histogram against the reference: the serving release's
 * {@code trainingProfile}, or, for a release without one, the window's own first full window (frozen; logged once
 * per version). The figures are gauges {@code maskstream.evaluation.drift.psi{camera,statistic}} and
 * {@code maskstream.evaluation.drift.overall.psi{version,statistic}}.
 *
 * <p>Alarms have hysteresis: when a statistic's PSI rises above {@value EvaluationConfig#DRIFT_THRESHOLD} the window
 * emits one RAISED {@link DriftEvent} to {@code topic.drift}, and nothing more for that statistic until PSI falls
 * below {@value EvaluationConfig#DRIFT_CLEAR_THRESHOLD} (one CLEARED event), after which it may raise again. A camera
 * answered by a new model version (a hot swap) starts a new, empty window: the old version's alarm ends there,
 * without a CLEARED event. Windows live in changelogged stores, so a restart or a moved task resumes them.
 *
 * <p>Only the top-level answer (the most prominent face) counts; frames without a face are skipped. Shadow events
 * ({@code classifications-shadow}) are not watched.
 */
public final class DriftMonitor implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(DriftMonitor.class);

    static final String CAMERA_STORE = "drift-camera-windows";
    static final String OVERALL_STORE = "drift-overall-windows";
    static final String RELEASES_STORE = "drift-releases";
    /** Key of an overall window's drift events (a camera's events are keyed by its id). */
    public static final String OVERALL_KEY = "*";

    private static final DriftStatistic[] STATISTICS = {DriftStatistic.CLASS_MIX, DriftStatistic.CONFIDENCE};

    private final EvaluationConfig config;
    private final MeterRegistry registry;
    private final Map<String, Double> latest = new ConcurrentHashMap<>();
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private SupervisedStreams streams;

    public DriftMonitor(EvaluationConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    /** The key of one window's PSI of one statistic in the view passed to {@link #build}. */
    public static String viewKey(DriftScope scope, String key, DriftStatistic statistic) {
        return scope + "\u0000" + key + "\u0000" + statistic;
    }

    /**
     * @param view     kept up to date with the latest PSI of every full window this instance holds, by {@link #viewKey}
     *                 (a task's windows leave when the task leaves this instance)
     * @param onWindow told (scope, camera id or version) the first time a window of this task is full
     */
    public static Topology build(EvaluationConfig config, Topics topics, Map<String, Double> view,
                                 BiConsumer<DriftScope, String> onWindow) {
        Topic<String, Classification> classifications = topics.classifications();
        Topic<String, ModelRelease> releases = topics.modelReleases();
        Topic<String, DriftEvent> drift = topics.drift();
        StreamsBuilder builder = new StreamsBuilder();
        builder.globalTable(releases.name(), Consumed.with(releases.keySerde(), releases.valueSerde()),
                Materialized.<String, ModelRelease, KeyValueStore<Bytes, byte[]>>as(RELEASES_STORE)
                        .withKeySerde(releases.keySerde()).withValueSerde(releases.valueSerde()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CAMERA_STORE), Serdes.String(),
                DriftWindow.serde()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(OVERALL_STORE), Serdes.String(),
                DriftWindow.serde()));
        Settings settings = new Settings(config.getDouble(EvaluationConfig.DRIFT_THRESHOLD),
                config.getDouble(EvaluationConfig.DRIFT_CLEAR_THRESHOLD));
        int cameraWindow = config.getInt(EvaluationConfig.DRIFT_WINDOW_FRAMES);
        int overallWindow = config.getInt(EvaluationConfig.DRIFT_OVERALL_WINDOW_FRAMES);
        KStream<String, String> answers = builder.stream(classifications.name(),
                        Consumed.with(classifications.keySerde(), classifications.valueSerde()))
                .filter((k, v) -> v != null && v.getClassCode() != null && v.getClassProbability() != null)
                .map((k, v) -> KeyValue.pair(v.getCameraId(), v.getModelVersion() + "\u0000" + v.getClassCode() + "\u0000"
                        + DriftWindow.percent(v.getClassProbability())));
        answers.process(() -> new Watch(DriftScope.CAMERA, cameraWindow, settings, view, onWindow), CAMERA_STORE)
                .to(drift.name(), Produced.with(drift.keySerde(), drift.valueSerde()));
        answers.map((camera, v) -> KeyValue.pair(v.substring(0, v.indexOf('\u0000')), v))
                .repartition(Repartitioned.with(Serdes.String(), Serdes.String()).withName("drift-answers-by-version"))
                .process(() -> new Watch(DriftScope.OVERALL, overallWindow, settings, view, onWindow), OVERALL_STORE)
                .to(drift.name(), Produced.with(drift.keySerde(), drift.valueSerde()));
        return builder.build();
    }

    private record Settings(double threshold, double clear) {
    }

    /** A window's reference: smoothed shares of the class mix and of the confidence bins. */
    private record Reference(DriftReference kind, double[] classShares, double[] confidenceShares) {
        double[] shares(DriftStatistic statistic) {
            return statistic == DriftStatistic.CLASS_MIX ? classShares : confidenceShares;
        }
    }

    /** The reference a release's training profile gives; null when it has none (or one of another shape). */
    static Reference profileReference(TrainingProfile profile) {
        if (profile == null || profile.getClassCounts().size() != LabelCodec.CLASSES
                || profile.getConfidenceCounts().isEmpty() || profile.getSamples() <= 0) {
            return null;
        }
        return new Reference(DriftReference.TRAINING_PROFILE, Psi.shares(TrainingProfiles.array(profile.getClassCounts())),
                Psi.shares(TrainingProfiles.array(profile.getConfidenceCounts())));
    }

    /** Slides one scope's windows (camera or overall) and raises or clears alarms. */
    private static final class Watch implements Processor<String, String, String, DriftEvent> {
        private final DriftScope scope;
        private final int capacity;
        private final Settings settings;
        private final Map<String, Double> view;
        private final BiConsumer<DriftScope, String> onWindow;
        private final Map<String, Reference> profiles = new HashMap<>();
        private final Set<String> withoutProfile = new HashSet<>();
        private final Set<String> viewKeys = new HashSet<>();
        private ProcessorContext<String, DriftEvent> context;
        private KeyValueStore<String, DriftWindow> store;
        private TimestampedKeyValueStore<String, ModelRelease> releases;

        Watch(DriftScope scope, int capacity, Settings settings, Map<String, Double> view,
              BiConsumer<DriftScope, String> onWindow) {
            this.scope = scope;
            this.capacity = capacity;
            this.settings = settings;
            this.view = view;
            this.onWindow = onWindow;
        }

        @Override
        public void init(ProcessorContext<String, DriftEvent> context) {
            this.context = context;
            store = context.getStateStore(scope == DriftScope.CAMERA ? CAMERA_STORE : OVERALL_STORE);
            releases = context.getStateStore(RELEASES_STORE);
        }

        @Override
        public void close() {
            viewKeys.forEach(view::remove); // the task moved away or the app stops
        }

        @Override
        public void process(Record<String, String> record) {
            String[] parts = record.value().split("\u0000");
            String version = parts[0];
            int code = Integer.parseInt(parts[1]);
            int percent = Integer.parseInt(parts[2]);
            if (code < 0 || code >= LabelCodec.CLASSES) {
                return; // not one of the 18 classes: nothing to compare
            }
            String key = record.key();
            DriftWindow window = store.get(key);
            if (window == null || !window.version().equals(version) || window.capacity() != capacity) {
                window = new DriftWindow(version, capacity);
            }
            window.add(code, percent);
            if (window.full()) {
                Reference reference = reference(window);
                if (reference != null) {
                    evaluate(key, window, reference, record.timestamp());
                }
            }
            store.put(key, window);
        }

        /** The release's profile, else the window's first full window (frozen now if this is it); null right then. */
        private Reference reference(DriftWindow window) {
            String version = window.version();
            Reference profile = profiles.get(version);
            if (profile == null) {
                ValueAndTimestamp<ModelRelease> release = releases.get(version);
                profile = profileReference(release == null ? null : release.value().getTrainingProfile());
                if (profile != null) {
                    profiles.put(version, profile);
                } else if (withoutProfile.add(version)) {
                    LOG.info("Drift ({}): release {} has no training profile; its windows are compared with their own "
                            + "first full window", scope.name().toLowerCase(java.util.Locale.ROOT), version);
                }
            }
            if (profile != null) {
                return profile;
            }
            if (!window.hasFirstWindow()) {
                window.freezeFirstWindow();
                return null;
            }
            return new Reference(DriftReference.FIRST_WINDOW, Psi.shares(window.firstClassCounts()),
                    Psi.shares(window.firstConfidenceCounts()));
        }

        private void evaluate(String key, DriftWindow window, Reference reference, long timestamp) {
            for (int s = 0; s < STATISTICS.length; s++) {
                DriftStatistic statistic = STATISTICS[s];
                double[] expected = reference.shares(statistic);
                int[] counts = statistic == DriftStatistic.CLASS_MIX ? window.classCounts()
                        : window.confidenceCounts(expected.length);
                double psi = Psi.of(counts, expected);
                String viewKey = viewKey(scope, key, statistic);
                view.put(viewKey, psi);
                if (viewKeys.add(viewKey) && s == 0) {
                    onWindow.accept(scope, key);
                }
                DriftState change = null;
                if (!window.raised(s) && psi > settings.threshold()) {
                    window.raised(s, true);
                    change = DriftState.RAISED;
                } else if (window.raised(s) && psi < settings.clear()) {
                    window.raised(s, false);
                    change = DriftState.CLEARED;
                }
                if (change != null) {
                    List<Double> shares = new ArrayList<>(expected.length);
                    for (double e : expected) {
                        shares.add(e);
                    }
                    DriftEvent event = DriftEvent.newBuilder().setScope(scope)
                            .setCameraId(scope == DriftScope.CAMERA ? key : null).setModelVersion(window.version())
                            .setStatistic(statistic).setState(change).setPsi(psi).setThreshold(settings.threshold())
                            .setClearThreshold(settings.clear()).setWindowFrames(window.size())
                            .setReference(reference.kind()).setWindowCounts(TrainingProfiles.list(counts))
                            .setReferenceShares(shares).setEventTime(Instant.ofEpochMilli(timestamp)).build();
                    context.forward(new Record<>(scope == DriftScope.CAMERA ? key : OVERALL_KEY, event, timestamp));
                    LOG.info("Drift {} ({}, version {}): {} PSI {} (threshold {}, clear {}, window {} frames, "
                                    + "reference {})", change, scope == DriftScope.CAMERA ? "camera " + key : "overall",
                            window.version(), statistic, String.format(java.util.Locale.ROOT, "%.3f", psi),
                            settings.threshold(), settings.clear(), window.size(), reference.kind());
                }
            }
        }
    }

    public static Properties streamsProperties(EvaluationConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString(EvaluationConfig.DRIFT_APPLICATION_ID));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.getString(EvaluationConfig.ONLINE_STATE_DIR));
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.getShort(CommonConfig.TOPIC_REPLICATION_FACTOR));
        config.driftMembership().apply(p);
        p.putAll(config.kafkaProperties(ServiceConfig.ClientKind.STREAMS));
        return p;
    }

    @Override
    public String name() {
        return "drift-monitor";
    }

    @Override
    public void start() {
        Topics topics = new Topics(config);
        streams = new SupervisedStreams("drift-monitor", () -> build(config, topics, latest, this::register),
                streamsProperties(config), config.driftMembership(), null, e -> false);
        streams.start();
    }

    /** The latest PSI of every full window of this instance, by {@link #viewKey} (a copy). */
    public Map<String, Double> snapshot() {
        return Map.copyOf(latest);
    }

    /** Gauges for a window, registered the first time it is full. */
    void register(DriftScope scope, String key) {
        if (!registered.add(scope + "\u0000" + key)) {
            return;
        }
        for (DriftStatistic statistic : STATISTICS) {
            String tagValue = statistic.name().toLowerCase(java.util.Locale.ROOT);
            String viewKey = viewKey(scope, key, statistic);
            Gauge.Builder<DriftMonitor> gauge = scope == DriftScope.CAMERA
                    ? Gauge.builder("maskstream.evaluation.drift.psi", this, m -> m.latest.getOrDefault(viewKey, Double.NaN))
                    .description("PSI of a camera's sliding window of live answers against the serving release's "
                            + "training profile").tag("camera", key)
                    : Gauge.builder("maskstream.evaluation.drift.overall.psi", this,
                            m -> m.latest.getOrDefault(viewKey, Double.NaN))
                    .description("PSI of a model version's sliding window of live answers over all cameras against its "
                            + "training profile").tag("version", key);
            gauge.tag("statistic", tagValue).register(registry);
        }
    }

    public KafkaStreams.State state() {
        return streams == null ? KafkaStreams.State.NOT_RUNNING : streams.state();
    }

    @Override
    public void close() {
        if (streams != null) {
            streams.close();
            streams = null;
        }
    }
}
