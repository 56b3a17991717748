package io.maskstream.systemtests;

import io.maskstream.events.Frame;
import io.maskstream.model.HeadLayout;
import io.maskstream.model.ModelBundle;
import io.maskstream.processor.ProcessorConfig;
import io.maskstream.producers.ProducersConfig;
import io.maskstream.synthetic.SyntheticFaces;
import io.maskstream.synthetic.SyntheticOptions;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.schemas.TopicAdmin;
import io.maskstream.schemas.serde.AvroSerializer;
import io.maskstream.events.MaskState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Settings, topics, small real images and clients for one scenario's pipeline. Every scenario gets its own topic
 * names (prefix) and application id, so scenarios share a broker without seeing each other's records.
 */
final class Pipelines {

    private Pipelines() {
    }

    /**
     * Settings of a processor (and of producers and alerts: one shared key space) on topics {@code <prefix>-*},
     * serving an untrained fastnet bundle written to {@code dir} under version {@code v-<prefix>}.
     */
    static Map<String, String> settings(String bootstrap, String registryUrl, String prefix, Path dir, int partitions) {
        return settings(bootstrap, registryUrl, prefix, dir, partitions, 11);
    }

    /**
     * As above, with the untrained model's seed: seed 11 says WORN to every synthetic face, seed 4 mostly NONE
     * (what an alerts test needs).
     */
    static Map<String, String> settings(String bootstrap, String registryUrl, String prefix, Path dir, int partitions,
                                        long modelSeed) {
        Path bundle = dir.resolve("model.bundle");
        try {
            if (!Files.exists(bundle)) {
                ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "v-" + prefix, modelSeed).write(bundle);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> s = new HashMap<>();
        s.put(CommonConfig.BOOTSTRAP_SERVERS, bootstrap);
        s.put(CommonConfig.SCHEMA_REGISTRY_URL, registryUrl);
        for (String t : List.of("frames", "labeled.frames", "classifications", "alerts", "model.releases", "model.artifacts",
                "drift")) {
            s.put("topic." + t, prefix + "-" + t.replace('.', '-'));
        }
        s.put(CommonConfig.TOPIC_PARTITIONS, String.valueOf(partitions));
        s.put(CommonConfig.METRICS_PORT, "-1");
        s.put(ProcessorConfig.APPLICATION_ID, prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
        s.put(ProcessorConfig.MODEL_PATH, bundle.toString());
        s.put(ProcessorConfig.STATE_DIR, dir.resolve("state").toString());
        s.put(ProcessorConfig.INTRA_OP_THREADS, "1");
        s.put(ProcessorConfig.INTER_OP_THREADS, "1");
        s.put(ProducersConfig.SHUTDOWN_TIMEOUT_MS, "10000");
        return s;
    }

    static ProcessorConfig processorConfig(Map<String, String> settings) {
        return new ProcessorConfig(ConfigSource.of(settings));
    }

    static ProducersConfig producersConfig(Map<String, String> settings) {
        return new ProducersConfig(ConfigSource.of(settings));
    }

    /** Creates the scenario's topics (as {@code maskstream topics create} does) and applies the schema policy. */
    static void createTopics(Map<String, String> settings) throws InterruptedException {
        TopicAdmin.ensure(processorConfig(settings));
    }

    static String frames(Map<String, String> s) {
        return s.get(CommonConfig.TOPIC_FRAMES);
    }

    static String classifications(Map<String, String> s) {
        return s.get(CommonConfig.TOPIC_CLASSIFICATIONS);
    }

    static String framesDlq(Map<String, String> s) {
        return frames(s) + "-dlq";
    }

    /** The settings as a properties file, for a processor in another JVM ({@code maskstream process --config}). */
    static Path writeConfig(Map<String, String> settings, Path file) {
        Properties props = new Properties();
        props.putAll(settings);
        try (Writer w = Files.newBufferedWriter(file)) {
            props.store(w, "system test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** {@code count} distinct synthetic faces as small JPEGs (fast to decode; the model's input is 96x128). */
    static List<byte[]> faces(int count, int width, int height, long seed) {
        SyntheticFaces faces = new SyntheticFaces(SyntheticOptions.defaults(seed).withSize(width, height));
        MaskState[] states = MaskState.values();
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(faces.jpeg(faces.person(i % 50), states[i % states.length], i));
        }
        return out;
    }

    static Frame frame(String camera, long sequence, byte[] image, String contentType) {
        return Frame.newBuilder().setCameraId(camera).setSequence(sequence).setCaptureTime(Instant.now())
                .setImage(ByteBuffer.wrap(image)).setContentType(contentType).setWidth(null).setHeight(null)
                .setSource(null).build();
    }

    static Frame frame(String camera, long sequence, byte[] jpeg) {
        return frame(camera, sequence, jpeg, "image/jpeg");
    }

    /** An idempotent producer of Avro frames (acks=all), with the user-facing delivery timeout. */
    static KafkaProducer<String, Frame> frameProducer(String bootstrap, String registryUrl, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrap);
        props.put("enable.idempotence", true);
        props.put("acks", "all");
        props.put("linger.ms", 5);
        props.put("batch.size", 1 << 20);
        props.putAll(extra);
        AvroSerializer<Frame> serializer = new AvroSerializer<>();
        serializer.configure(Map.of(CommonConfig.SCHEMA_REGISTRY_URL, registryUrl), false);
        return new KafkaProducer<>(props, new StringSerializer(), serializer);
    }

    /** A producer of raw record values (for bytes that are not frames at all). */
    static KafkaProducer<String, byte[]> rawProducer(String bootstrap) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrap);
        props.put("enable.idempotence", true);
        props.put("acks", "all");
        props.put("max.request.size", 16 * 1024 * 1024);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Camera ids whose records land on each partition in turn ({@code perPartition} per partition), computed with
     * the default partitioner's hash, so a test can be sure every partition carries frames.
     */
    static List<String> camerasCovering(int partitions, int perPartition, String prefix) {
        List<List<String>> byPartition = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            byPartition.add(new ArrayList<>());
        }
        for (int i = 0; byPartition.stream().anyMatch(l -> l.size() < perPartition); i++) {
            String id = prefix + i;
            int p = Utils.toPositive(Utils.murmur2(id.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % partitions;
            if (byPartition.get(p).size() < perPartition) {
                byPartition.get(p).add(id);
            }
        }
        List<String> out = new ArrayList<>();
        for (int k = 0; k < perPartition; k++) {
            for (List<String> l : byPartition) {
                out.add(l.get(k));
            }
        }
        return out;
    }

    /** Publishes the artifact and an ACTIVE release naming {@code sha} (as the trainer does). */
    static void publishActive(io.maskstream.runtime.config.ServiceConfig config, String version, byte[] bundle, String sha) {
        String uri = new io.maskstream.releases.ArtifactStore(config).publish(version, bundle, sha);
        Instant now = Instant.now();
        io.maskstream.events.ModelRelease release = io.maskstream.events.ModelRelease.newBuilder().setVersion(version)
                .setArchitecture("fastnet").setInputWidth(96).setInputHeight(128)
                .setStatus(io.maskstream.events.ReleaseStatus.ACTIVE).setCreatedTime(now).setStatusTime(now).setSha256(sha)
                .setArtifactUri(uri).setArtifactBytes(bundle.length).setTrainingData("system test").setMetrics(null)
                .setNotes(null).build();
        new io.maskstream.releases.ReleaseLog(config).publish(release);
    }

    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Alerts settings under which every frame labelled NONE or INCORRECT raises an alert of its own. */
    static void alertOnEveryUnmaskedFrame(Map<String, String> settings, String applicationId, Path dir) {
        settings.put(io.maskstream.alerts.AlertsConfig.APPLICATION_ID, applicationId);
        settings.put(io.maskstream.alerts.AlertsConfig.STATE_DIR, dir.resolve("alerts-state").toString());
        settings.put(io.maskstream.alerts.AlertsConfig.THRESHOLD, "0");
        settings.put(io.maskstream.alerts.AlertsConfig.K, "1");
        settings.put(io.maskstream.alerts.AlertsConfig.N, "1");
        settings.put(io.maskstream.alerts.AlertsConfig.QUIET_PERIOD_MS, "0");
    }
}
