package io.maskstream.schemas;

import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.schemas.serde.SchemaRegistryClient;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates maskstream's topics (those missing) and applies the schema compatibility policy. Idempotent. */
public final class TopicAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);

    private TopicAdmin() {
    }

    /** Creates every missing topic of {@link Topics#newTopics()}, registers the schemas, sets BACKWARD. */
    public static List<String> ensure(ServiceConfig config) throws InterruptedException {
        Topics topics = new Topics(config);
        List<String> created;
        try (Admin admin = Admin.create(config.kafkaProperties(ServiceConfig.ClientKind.ADMIN))) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.newTopics().stream().filter(t -> !existing.contains(t.name())).toList();
            for (NewTopic t : missing) {
                try {
                    admin.createTopics(List.of(t)).all().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Cannot create topic " + t.name() + ": " + e.getCause(), e.getCause());
                    }
                }
            }
            created = missing.stream().map(NewTopic::name).collect(Collectors.toList());
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Cannot list topics at " + config.getList(CommonConfig.BOOTSTRAP_SERVERS)
                    + ": " + e, e);
        }
        SchemaPolicy.apply(SchemaRegistryClient.shared(config.kafkaProperties(ServiceConfig.ClientKind.PRODUCER)), topics);
        if (!created.isEmpty()) {
            LOG.info("Created topics {}", created);
        }
        return created;
    }
}
