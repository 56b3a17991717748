package io.maskstream.evaluation;

import io.maskstream.events.Classification;
import io.maskstream.events.LabeledFrame;
import io.maskstream.evaluation.metrics.Confusion;
import io.maskstream.model.LabelCodec;
import io.maskstream.runtime.Service;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.runtime.streams.SupervisedStreams;
import io.maskstream.schemas.Topic;
import io.maskstream.schemas.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Online evaluation: where ground truth exists for frames that went through the live processor (a labeled
 * replay publishes each photo to {@code labeled-frames} and, as the same camera id and sequence, to
 * {@code frames}), joins {@code classifications} with the labels by frame id and keeps a running 18-class
 * confusion matrix per model version in a changelogged store, exposed as
 * {@code maskstream.evaluation.online.macro.f1{version}} (and accuracy, samples).
 *
 * <p>Answers come from {@code classifications} and {@code classifications-shadow} (shadow releases, and the active
 * model on a canary's cameras), so every version on the stream is scored; {@link VersionPairs} also compares versions
 * on the same frames (agreement with the active model, {@code maskstream.evaluation.online.agreement{version}}, and
 * F1 on the same labeled frames), and the {@link ReleaseJudge} promotes a shadow or rolls back a canary from those
 * figures, writing the status records to {@code model-releases}.
 *
 * <p>Only the frame id, the truth and the answer are repartitioned, never an image. The figures of a version are
 * counted over this instance's tasks (all of them with one instance), from the evaluation's first start on
 * (changelogged), never reset.
 *
 * <p>Unless
 * {@code evaluation.drift.enabled} is false, the service also runs the
 * {@link io.maskstream.evaluation.drift.DriftMonitor} (drift alarms on every live answer, labels or not).
 */
public final class OnlineEvaluation implements Service {

    static final String STORE = "online-confusion";

    private final EvaluationConfig config;
    private final MeterRegistry registry;
    private final Map<String, Confusion> latest = new ConcurrentHashMap<>();
    private final VersionPairs.Views pairs = new VersionPairs.Views();
    private final ReleaseJudgeLoop judge;
    private SupervisedStreams streams;
    private io.maskstream.evaluation.drift.DriftMonitor drift;

    public OnlineEvaluation(EvaluationConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        this.judge = new ReleaseJudgeLoop(config, new ReleaseJudge(config), this::quality, this::register, registry);
    }

    /** frame id = camera id / sequence: what a Frame and its LabeledFrame share. */
    static String frameId(String camera, long sequence) {
        return camera + "/" + sequence;
    }

    /**
     * @param view      kept up to date with a copy of each task's counts per version, keyed by {@link #viewKey}: the
     *                  joined stream is partitioned by frame, so every task counts its share of a version's frames
     *                  ({@link #byVersion} adds them up); a task's entries leave when the task leaves this instance
     * @param onVersion told each model version the first time it is counted (to register its gauges)
     */
    public static Topology build(EvaluationConfig config, Topics topics, Map<String, Confusion> view,
                                 java.util.function.Consumer<String> onVersion) {
        return build(config, topics, view, new VersionPairs.Views(), onVersion);
    }

    /** As {@link #build(EvaluationConfig, Topics, Map, java.util.function.Consumer)}, the version comparisons kept in {@code pairs}. */
    static Topology build(EvaluationConfig config, Topics topics, Map<String, Confusion> view, VersionPairs.Views pairs,
                          java.util.function.Consumer<String> onVersion) {
        Topic<String, LabeledFrame> labeled = topics.labeledFrames();
        Topic<String, Classification> classifications = topics.classifications();
        Topic<String, Classification> shadow = topics.shadowClassifications();
        Duration window = Duration.ofMillis(config.getLong(EvaluationConfig.ONLINE_LABEL_RETENTION_MS));
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, Integer> truth = builder.stream(labeled.name(), Consumed.with(labeled.keySerde(), labeled.valueSerde()))
                .filter((k, v) -> v != null)
                .map((k, v) -> org.apache.kafka.streams.KeyValue.pair(frameId(v.getFrame().getCameraId(),
                        v.getFrame().getSequence()), ReplayEvaluation.truthOf(v)))
                .repartition(Repartitioned.with(Serdes.String(), Serdes.Integer()).withName("truth-by-frame"));
        KStream<String, String> answers = builder.stream(classifications.name(),
                        Consumed.with(classifications.keySerde(), classifications.valueSerde()))
                .merge(builder.stream(shadow.name(), Consumed.with(shadow.keySerde(), shadow.valueSerde())
                        .withName("shadow-classifications")))
                .filter((k, v) -> v != null)
                .map((k, v) -> org.apache.kafka.streams.KeyValue.pair(frameId(v.getCameraId(), v.getFrameSequence()),
                        v.getModelVersion() + "\u0000" + v.getClassCode()))
                .repartition(Repartitioned.with(Serdes.String(), Serdes.String()).withName("answers-by-frame"));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(),
                confusionSerde()));
        answers.join(truth, (answer, t) -> answer + "\u0000" + t, JoinWindows.ofTimeDifferenceWithNoGrace(window),
                        StreamJoined.with(Serdes.String(), Serdes.String(), Serdes.Integer()).withName("label-join"))
                .process(() -> new Tally(view, onVersion), STORE);
        VersionPairs.add(builder, answers, truth, window, pairs);
        return builder.build();
    }

    /** The key of one task's counts of one version in the view passed to {@link #build}. */
    static String viewKey(String version, String task) {
        return version + "\u0000" + task;
    }

    /** The view's per-task counts added up per model version. */
    public static Map<String, Confusion> byVersion(Map<String, Confusion> view) {
        Map<String, Confusion> sum = new TreeMap<>();
        view.forEach((key, c) -> sum.computeIfAbsent(key.substring(0, key.indexOf('\u0000')), v -> new Confusion()).addAll(c));
        return sum;
    }

    /** Counts each joined (version, answer, truth) into that version's confusion matrix (this task's share). */
    private static final class Tally implements Processor<String, String, Void, Void> {
        private final Map<String, Confusion> view;
        private final java.util.function.Consumer<String> onVersion;
        private KeyValueStore<String, Confusion> store;
        private String task;

        Tally(Map<String, Confusion> view, java.util.function.Consumer<String> onVersion) {
            this.view = view;
            this.onVersion = onVersion;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(STORE);
            task = context.taskId().toString();
            try (var it = store.all()) {
                it.forEachRemaining(kv -> {
                    view.put(viewKey(kv.key, task), kv.value);
                    onVersion.accept(kv.key);
                });
            }
        }

        @Override
        public void close() {
            view.keySet().removeIf(k -> k.endsWith("\u0000" + task)); // the task moved away or the app stops
        }

        @Override
        public void process(Record<String, String> record) {
            String[] parts = record.value().split("\u0000");
            String version = parts[0];
            int predicted = Integer.parseInt(parts[1]);
            int truth = Integer.parseInt(parts[2]);
            Confusion c = store.get(version);
            if (c == null) {
                c = new Confusion();
            }
            c.add(truth, predicted);
            store.put(version, c);
            Confusion copy = new Confusion();
            copy.addAll(c);
            if (view.put(viewKey(version, task), copy) == null) {
                onVersion.accept(version);
            }
        }
    }

    static Serde<Confusion> confusionSerde() {
        int n = LabelCodec.CLASSES;
        return Serdes.serdeFrom((topic, c) -> {
            if (c == null) {
                return null;
            }
            ByteBuffer b = ByteBuffer.allocate(4 * n * n);
            for (int t = 0; t < n; t++) {
                for (int p = 0; p < n; p++) {
                    b.putInt(c.count(t, p));
                }
            }
            return b.array();
        }, (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            Confusion c = new Confusion();
            for (int t = 0; t < n; t++) {
                for (int p = 0; p < n; p++) {
                    c.add(t, p, b.getInt());
                }
            }
            return c;
        });
    }

    public static Properties streamsProperties(EvaluationConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString(EvaluationConfig.ONLINE_APPLICATION_ID));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.getString(EvaluationConfig.ONLINE_STATE_DIR));
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.getShort(CommonConfig.TOPIC_REPLICATION_FACTOR));
        p.put(StreamsConfig.consumerPrefix("max.partition.fetch.bytes"), 8 * 1024 * 1024);
        config.onlineMembership().apply(p);
        p.putAll(config.kafkaProperties(ServiceConfig.ClientKind.STREAMS));
        return p;
    }

    @Override
    public String name() {
        return "online-evaluation";
    }

    @Override
    public void start() {
        Topics topics = new Topics(config);
        streams = new SupervisedStreams("online-evaluation", () -> build(config, topics, latest, pairs, this::register),
                streamsProperties(config), config.onlineMembership(), null, e -> false);
        streams.start();
        judge.start();
        if (config.getBoolean(EvaluationConfig.DRIFT_ENABLED)) { // drift alarms: their own Streams application
            drift = new io.maskstream.evaluation.drift.DriftMonitor(config, registry);
            drift.start();
        }
    }

    /** What this instance knows of every version's live quality now (a copy). */
    public LiveQuality quality() {
        return new LiveQuality(snapshot(), pairs.agreementByPair(), pairs.pairedByPair());
    }

    /** The version the release judge last read as ACTIVE on model-releases (empty before its first reading). */
    public Optional<String> activeVersion() {
        return judge.activeVersion();
    }

    /** Running results per model version over the tasks of this instance (a copy). */
    public Map<String, Confusion> snapshot() {
        return byVersion(latest);
    }

    private final Map<String, Boolean> registered = new ConcurrentHashMap<>();

    /** Gauges per version, registered the first time a version is seen. */
    void register(String version) {
        if (registered.putIfAbsent(version, true) == null) {
            Gauge.builder("maskstream.evaluation.online.macro.f1", this,
                            e -> Optional.ofNullable(e.snapshot().get(version)).map(c -> (double) c.macroF1()).orElse(0.0))
                    .description("Running 18-class macro-F1 of a model version on live frames with ground truth")
                    .tag("version", version).register(registry);
            Gauge.builder("maskstream.evaluation.online.accuracy", this,
                            e -> Optional.ofNullable(e.snapshot().get(version)).map(c -> (double) c.accuracy()).orElse(0.0))
                    .description("Running 18-class accuracy of a model version on live frames with ground truth")
                    .tag("version", version).register(registry);
            Gauge.builder("maskstream.evaluation.online.agreement", this,
                            e -> e.agreementWithActive(version).map(LiveQuality.Comparison::agreement).orElse(Double.NaN))
                    .description("Share of frames on which a model version's 18-class answer equals the active model's "
                            + "(NaN for the active model and before a shared frame)")
                    .tag("version", version).register(registry);
            Gauge.builder("maskstream.evaluation.online.agreement.frames", this,
                            e -> e.agreementWithActive(version).map(c -> (double) c.agreementFrames()).orElse(0.0))
                    .description("Frames a model version and the active model both answered")
                    .tag("version", version).register(registry);
            Gauge.builder("maskstream.evaluation.online.samples", this,
                            e -> Optional.ofNullable(e.snapshot().get(version)).map(c -> (double) c.total()).orElse(0.0))
                    .description("Live frames with ground truth counted for a model version")
                    .tag("version", version).register(registry);
        }
    }

    private Optional<LiveQuality.Comparison> agreementWithActive(String version) {
        return activeVersion().filter(a -> !a.equals(version)).map(a -> quality().compare(version, a));
    }

    public KafkaStreams.State state() {
        return streams == null ? KafkaStreams.State.NOT_RUNNING : streams.state();
    }

    @Override
    public void close() {
        judge.close();
        if (drift != null) {
            drift.close();
            drift = null;
        }
        if (streams != null) {
            streams.close();
            streams = null;
        }
    }
}
