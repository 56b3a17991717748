package io.maskstream.trainer;

import io.maskstream.evaluation.TopicRange;
import io.maskstream.runtime.Service;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ServiceConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import io.maskstream.schemas.ConsumerLoop;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retrains automatically: follows {@code labeled-frames} with its own consumer group (it only counts records,
 * it never decodes images on this path) and, every {@code trainer.retrain.every.frames} new labeled frames,
 * trains on the most recent {@code trainer.max.frames} of the topic in a background thread, publishes the
 * candidate and runs the promotion gate. One training at a time; frames arriving meanwhile count towards the
 * next one.
 */
public final class TrainerService implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);

    private final TrainerConfig config;
    private final AtomicLong sinceLastTraining = new AtomicLong();
    private final AtomicBoolean training = new AtomicBoolean();
    private final Counter trainings;
    private final Counter promotions;
    private volatile boolean running = true;
    private ConsumerLoop<byte[], byte[]> follower;
    private Thread worker;

    public TrainerService(TrainerConfig config, MeterRegistry registry) {
        this.config = config;
        trainings = Counter.builder("maskstream.trainer.trainings").description("Training runs completed").register(registry);
        promotions = Counter.builder("maskstream.trainer.promotions").description("Trained models promoted to ACTIVE")
                .register(registry);
        Gauge.builder("maskstream.trainer.frames.since.training", sinceLastTraining, AtomicLong::get)
                .description("Labeled frames seen since the last training started").register(registry);
    }

    @Override
    public String name() {
        return "trainer";
    }

    @Override
    public void start() {
        if (config.getInt(TrainerConfig.RETRAIN_EVERY) <= 0) {
            LOG.info("Automatic retraining is off ({}=0); train with 'maskstream train'", TrainerConfig.RETRAIN_EVERY);
            return;
        }
        Map<String, Object> props = new HashMap<>(config.kafkaProperties(ServiceConfig.ClientKind.CONSUMER));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.getString(TrainerConfig.GROUP_ID));
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        String topic = config.getString(CommonConfig.TOPIC_LABELED_FRAMES);
        int every = config.getInt(TrainerConfig.RETRAIN_EVERY);
        follower = new ConsumerLoop<>("trainer-follower",
                () -> new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                new ConsumerLoop.Body<byte[], byte[]>() {
                    @Override
                    public void open(Consumer<byte[], byte[]> c) {
                        c.subscribe(List.of(topic));
                    }

                    @Override
                    public void records(Consumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> records) {
                        int n = records.count();
                        if (n > 0) {
                            c.commitAsync();
                        }
                        if (sinceLastTraining.addAndGet(n) >= every && training.compareAndSet(false, true)) {
                            sinceLastTraining.set(0);
                            worker = new Thread(() -> retrain(topic), "trainer-worker");
                            worker.setDaemon(true);
                            worker.start();
                        }
                    }
                }).start();
        LOG.info("Trainer follows {}: retrains every {} new labeled frames on the latest {}", topic, every,
                config.getInt(TrainerConfig.MAX_FRAMES));
    }

    private void retrain(String topic) {
        try {
            TrainingJob job = new TrainingJob(config);
            TopicRange range = latest(topic, config.getInt(TrainerConfig.MAX_FRAMES));
            TrainingJob.Labeled loaded = job.load(range);
            if (!loaded.scenes().isEmpty()) {
                LOG.info("Retraining on {} labeled scenes from {} (portraits in the range: {}, left out)",
                        loaded.scenes().size(), loaded.description(), loaded.portraits().size());
                TrainingJob.SceneOutcome outcome = job.runScenes(loaded.scenes(), loaded.description(), true,
                        config.getBoolean(TrainerConfig.PROMOTE));
                trainings.increment();
                if (outcome.verdict() != null && outcome.verdict().promoted()) {
                    promotions.increment();
                }
                return;
            }
            LOG.info("Retraining on {} labeled photos from {}", loaded.portraits().size(), loaded.description());
            TrainingJob.Outcome outcome = job.run(loaded.portraits(), loaded.description(), true,
                    config.getBoolean(TrainerConfig.PROMOTE));
            trainings.increment();
            if (outcome.verdict() != null && outcome.verdict().promoted()) {
                promotions.increment();
            }
        } catch (Exception e) {
            if (running) {
                LOG.error("Retraining failed: {}", e.toString(), e);
            } else {
                LOG.info("Retraining abandoned: the trainer is stopping ({})", e.toString());
            }
        } finally {
            training.set(false);
        }
    }

    /** The most recent {@code max} records of the topic, spread over its partitions by their sizes. */
    private TopicRange latest(String topic, int max) {
        Map<Integer, Long> from = new HashMap<>();
        Map<Integer, Long> to = new HashMap<>();
        List<TopicPartition> partitions;
        try (KafkaConsumer<byte[], byte[]> probe = new KafkaConsumer<>(config.kafkaProperties(ServiceConfig.ClientKind.CONSUMER),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            partitions = probe.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition()))
                    .collect(Collectors.toList());
            // assigned (never polled) so that kafka-clients 4.0-4.3 do not warn per partition that the offsets
            // it looked up are "no longer assigned" (KAFKA-20131, downgraded to DEBUG in 4.4)
            probe.assign(partitions);
            Map<TopicPartition, Long> begin = probe.beginningOffsets(partitions);
            Map<TopicPartition, Long> end = probe.endOffsets(partitions);
            long total = partitions.stream().mapToLong(p -> end.get(p) - begin.get(p)).sum();
            for (TopicPartition p : partitions) {
                long size = end.get(p) - begin.get(p);
                long keep = total <= max ? size : Math.round(size * (max / (double) total));
                from.put(p.partition(), end.get(p) - keep);
                to.put(p.partition(), end.get(p));
            }
        }
        return new TopicRange(topic, from, null, to, null, null, null);
    }

    @Override
    public void close() {
        running = false;
        if (follower != null) {
            follower.close();
        }
        try {
            if (worker != null && worker.isAlive()) {
                LOG.info("Stopping the training in progress (it ends after its current batch)");
                worker.interrupt();
                worker.join(30_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
