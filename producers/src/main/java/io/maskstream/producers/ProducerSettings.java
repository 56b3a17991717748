package io.maskstream.producers;

import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ServiceConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The frame producer's client properties: the user's ({@code kafka.*}, {@code kafka.producer.*}) first, then
 * defaults suited to ~50 KB images for whatever the user left unset. The default {@code batch.size} (16 KB) is
 * smaller than one frame and halves throughput; a batch must also stay under the topic's record limit, which the
 * broker applies to whole batches.
 */
final class ProducerSettings {

    /** Above the frame limit: the record envelope, key and headers. */
    static final int REQUEST_HEADROOM = 128 * 1024;
    static final int BATCH_BYTES = 1024 * 1024;

    private ProducerSettings() {
    }

    static Map<String, Object> of(ServiceConfig config, int maxFrameBytes) {
        Map<String, Object> props = new HashMap<>(config.kafkaProperties(ServiceConfig.ClientKind.PRODUCER));
        props.remove(CommonConfig.SCHEMA_REGISTRY_URL); // for the serializers, not the producer
        int maxRequest = maxFrameBytes + REQUEST_HEADROOM;
        props.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(Math.min(BATCH_BYTES, maxFrameBytes)));
        props.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none"); // JPEG does not compress
        props.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(maxRequest));
        props.putIfAbsent(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(Math.max(64L * 1024 * 1024, 4L * maxRequest)));
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "maskstream-producers");
        // values are serialized before sending, so their size can be checked against the limit first
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }
}
