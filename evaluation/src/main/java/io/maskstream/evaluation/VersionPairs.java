package io.maskstream.evaluation;

import io.maskstream.evaluation.LiveQuality.Agreement;
import io.maskstream.evaluation.metrics.Confusion;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The part of the online evaluation that compares model versions on the same frames: the answers of every version
 * (live and shadow topics, already keyed by frame id) are joined with each other, frame by frame, and each ordered
 * pair (V, W) of two different versions that answered the same frame is counted in two changelogged stores keyed
 * {@code V\0W}:
 * <ul>
 *   <li>{@value #AGREEMENT_STORE}: frames both answered, and frames where V's 18-class answer equals W's;</li>
 *   <li>{@value #PAIRED_STORE}: V's confusion on the labeled frames W also answered, so V and W are scored on exactly
 *   the same labeled frames (W's confusion on them is the entry {@code W\0V}).</li>
 * </ul>
 * Which version is active is not the topology's business: every pair is counted, and a reader picks W = the active
 * release. A frame's answers meet when they arrive within the join window of each other
 * ({@code evaluation.online.label.retention.ms}, as labels); state holds frame ids, version names and class codes,
 * never an image.
 */
final class VersionPairs {

    static final String AGREEMENT_STORE = "online-agreement";
    static final String PAIRED_STORE = "online-paired-confusion";

    /** The per-task copies of both stores, for readers outside the stream threads (keys {@code V\0W\0task}). */
    static final class Views {
        final Map<String, Agreement> agreement = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<String, Confusion> paired = new java.util.concurrent.ConcurrentHashMap<>();

        /** Agreement per ordered pair {@code V\0W}, summed over this instance's tasks. */
        Map<String, Agreement> agreementByPair() {
            Map<String, Agreement> sum = new TreeMap<>();
            agreement.forEach((k, a) -> sum.merge(k.substring(0, k.lastIndexOf('\u0000')), a, Agreement::plus));
            return sum;
        }

        /** V's confusion on the labeled frames W also answered, per ordered pair {@code V\0W}, over this instance's tasks. */
        Map<String, Confusion> pairedByPair() {
            Map<String, Confusion> sum = new TreeMap<>();
            paired.forEach((k, c) -> sum.computeIfAbsent(k.substring(0, k.lastIndexOf('\u0000')), x -> new Confusion()).addAll(c));
            return sum;
        }
    }

    private VersionPairs() {
    }

    static String pairKey(String version, String other) {
        return version + "\u0000" + other;
    }

    /**
     * Adds the pair joins and their stores to {@code builder}.
     *
     * @param answers {@code version\0classCode} per frame id, every version's (co-partitioned with {@code truth})
     * @param truth   the true class code per frame id
     */
    static void add(StreamsBuilder builder, KStream<String, String> answers, KStream<String, Integer> truth,
                    Duration window, Views views) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(AGREEMENT_STORE), Serdes.String(),
                agreementSerde()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PAIRED_STORE), Serdes.String(),
                OnlineEvaluation.confusionSerde()));
        // a self-join emits every ordered pair of a frame's answers once (and each answer with itself, dropped here)
        KStream<String, String> pairs = answers.join(answers, (a, b) -> a + "\u0000" + b,
                        JoinWindows.ofTimeDifferenceWithNoGrace(window),
                        StreamJoined.with(Serdes.String(), Serdes.String(), Serdes.String()).withName("version-pair-join")
                                .withStoreName("version-pair-join"))
                .filter((frame, pair) -> {
                    String[] p = pair.split("\u0000");
                    return !p[0].equals(p[2]);
                });
        pairs.process(() -> new CountAgreement(views.agreement), AGREEMENT_STORE);
        pairs.join(truth, (pair, t) -> pair + "\u0000" + t, JoinWindows.ofTimeDifferenceWithNoGrace(window),
                        StreamJoined.with(Serdes.String(), Serdes.String(), Serdes.Integer()).withName("version-pair-label-join")
                                .withStoreName("version-pair-label-join"))
                .process(() -> new CountPaired(views.paired), PAIRED_STORE);
    }

    /** Base of both counters: a store of counts per pair, mirrored per task into a view; the view entries leave with the task. */
    private abstract static class PairCounter<T> implements Processor<String, String, Void, Void> {
        private final String storeName;
        private final Map<String, T> view;
        KeyValueStore<String, T> store;
        private String task;

        PairCounter(String storeName, Map<String, T> view) {
            this.storeName = storeName;
            this.view = view;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(storeName);
            task = context.taskId().toString();
            try (var it = store.all()) {
                it.forEachRemaining(kv -> view.put(kv.key + "\u0000" + task, kv.value));
            }
        }

        void publish(String pair, T copy) {
            view.put(pair + "\u0000" + task, copy);
        }

        @Override
        public void close() {
            view.keySet().removeIf(k -> k.endsWith("\u0000" + task));
        }
    }

    /** {@code V\0cV\0W\0cW}: one frame both answered. */
    private static final class CountAgreement extends PairCounter<Agreement> {
        CountAgreement(Map<String, Agreement> view) {
            super(AGREEMENT_STORE, view);
        }

        @Override
        public void process(Record<String, String> record) {
            String[] p = record.value().split("\u0000");
            String pair = pairKey(p[0], p[2]);
            Agreement a = store.get(pair);
            Agreement next = (a == null ? new Agreement(0, 0) : a).plus(new Agreement(p[1].equals(p[3]) ? 1 : 0, 1));
            store.put(pair, next);
            publish(pair, next);
        }
    }

    /** {@code V\0cV\0W\0cW\0truth}: V's answer on a labeled frame W also answered. */
    private static final class CountPaired extends PairCounter<Confusion> {
        CountPaired(Map<String, Confusion> view) {
            super(PAIRED_STORE, view);
        }

        @Override
        public void process(Record<String, String> record) {
            String[] p = record.value().split("\u0000");
            String pair = pairKey(p[0], p[2]);
            Confusion c = store.get(pair);
            if (c == null) {
                c = new Confusion();
            }
            c.add(Integer.parseInt(p[4]), Integer.parseInt(p[1]));
            store.put(pair, c);
            Confusion copy = new Confusion();
            copy.addAll(c);
            publish(pair, copy);
        }
    }

    static Serde<Agreement> agreementSerde() {
        return Serdes.serdeFrom((topic, a) -> a == null ? null : ByteBuffer.allocate(16).putLong(a.agreed()).putLong(a.frames()).array(),
                (topic, bytes) -> {
                    if (bytes == null) {
                        return null;
                    }
                    ByteBuffer b = ByteBuffer.wrap(bytes);
                    return new Agreement(b.getLong(), b.getLong());
                });
    }
}
