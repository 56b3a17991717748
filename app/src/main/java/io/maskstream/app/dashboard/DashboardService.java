package io.maskstream.app.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.maskstream.app.dashboard.Snapshot.ReportLink;
import io.maskstream.app.dashboard.TopicFollower.Start;
import io.maskstream.runtime.Service;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.schemas.Topic;
import io.maskstream.schemas.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live dashboard: follows the topics, aggregates them ({@link DashboardState}), publishes a snapshot
 * every second and serves the page ({@link DashboardHttp}). It reads Kafka like any other consumer and
 * writes nothing anywhere, so it can run beside any deployment, as many times as wanted, without
 * disturbing it. Frames are read (and served) only when {@value DashboardConfig#SHOW_FRAMES} is on.
 */
public final class DashboardService implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardService.class);
    static final long TICK_MS = 1000;
    static final long REPORT_SCAN_MS = 5000;
    static final long ONLINE_FIGURES_MS = 5000;

    private final DashboardConfig config;
    private final MeterRegistry registry;
    private final ObjectMapper json = new ObjectMapper();
    private final List<TopicFollower<?>> followers = new ArrayList<>();
    private DashboardState state;
    private SnapshotFeed feed;
    private ReportIndex reportIndex;
    private final Object reportLock = new Object();
    private List<ReportLink> reports = List.of();
    private long lastReportScan;
    private ScheduledExecutorService ticker;
    private DashboardHttp http;
    private FunctionCounter unreadable;

    public DashboardService(DashboardConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    @Override
    public String name() {
        return "dashboard";
    }

    @Override
    public synchronized void start() throws Exception {
        try {
            boolean showFrames = config.getBoolean(DashboardConfig.SHOW_FRAMES);
            state = new DashboardState(showFrames, System.currentTimeMillis());
            feed = new SnapshotFeed();
            unreadable = FunctionCounter.builder("maskstream.dashboard.records.unreadable", state,
                    DashboardState::unreadableCount).description("Records the dashboard could not decode and skipped")
                    .register(registry);
            reportIndex = new ReportIndex(config.reportDir().orElse(null));
            Topics topics = new Topics(config);
            Map<String, Object> consumer = config.kafkaProperties(ServiceConfig.ClientKind.CONSUMER);
            follow("classifications", topics.classifications(), Start.END, consumer,
                    (r, now) -> {
                        if (r.value() != null) {
                            state.classification(r.value(), now);
                        }
                    });
            follow("alerts", topics.alerts(), Start.lastRecords(DashboardState.ALERT_FEED), consumer,
                    (r, now) -> {
                        if (r.value() != null) {
                            state.alert(r.value(), now);
                        }
                    });
            follow("drift", topics.drift(), Start.lastRecords(DashboardState.DRIFT_WINDOWS), consumer,
                    (r, now) -> {
                        if (r.value() != null) {
                            state.drift(r.value(), now);
                        }
                    });
            follow("model-releases", topics.modelReleases(), Start.BEGINNING, consumer,
                    (r, now) -> state.release(r.key(), r.value()));
            if (showFrames) {
                follow("frames", topics.frames(), Start.END, consumer, (r, now) -> {
                    if (r.value() != null) {
                        state.frame(r.value(), now);
                    }
                });
            }
            publish();
            http = new DashboardHttp(config.getString(DashboardConfig.HOST), config.getInt(DashboardConfig.PORT),
                    this::currentJson, feed, state, reportIndex, showFrames, config.authentication(), registry);
            http.start();
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "maskstream-dashboard-ticker");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
            config.evaluationMetricsUri().ifPresent(uri -> {
                OnlineFigures figures = new OnlineFigures(uri);
                ticker.scheduleWithFixedDelay(() -> readFigures(figures), 0, ONLINE_FIGURES_MS, TimeUnit.MILLISECONDS);
            });
            LOG.info("Dashboard at {} (frames {}, reports {}, authentication {})", url(),
                    showFrames ? "shown" : "off (privacy)", config.reportDir().map(Object::toString).orElse("none"),
                    config.authentication());
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private <V> void follow(String role, Topic<String, V> topic, Start start, Map<String, Object> consumer,
                            BiConsumer<ConsumerRecord<String, V>, Long> handler) {
        Counter records = Counter.builder("maskstream.dashboard.records").description("Records the dashboard read")
                .tag("topic", role).register(registry);
        TopicFollower<V> f = new TopicFollower<>(role, topic.name(), consumer, topic.valueSerde().deserializer(), start,
                handler, state, records::increment);
        followers.add(f);
        f.start();
    }

    /** Reads the online evaluation's figures; when it cannot be read, the last figures stay (logged at debug). */
    private void readFigures(OnlineFigures figures) {
        try {
            state.onlineFigures(figures.fetch());
        } catch (java.io.IOException | RuntimeException e) {
            LOG.debug("Online evaluation figures not read: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void tick() {
        try {
            state.tick(System.currentTimeMillis());
            publish();
        } catch (RuntimeException | Error e) { // never let one bad second stop the ticker
            LOG.warn("Dashboard tick failed: {}", e.toString(), e);
        }
    }

    private void publish() {
        feed.publish(currentJson());
    }

    /** The snapshot as JSON, now. */
    String currentJson() {
        long now = System.currentTimeMillis();
        List<ReportLink> links;
        synchronized (reportLock) {
            if (now - lastReportScan >= REPORT_SCAN_MS) {
                lastReportScan = now;
                reports = reportIndex.list();
            }
            links = reports;
        }
        try {
            return json.writeValueAsString(state.snapshot(now, links));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot render the dashboard snapshot: " + e.getMessage(), e);
        }
    }

    /** The bound port once started, else -1. */
    public int port() {
        DashboardHttp h = http;
        return h == null ? -1 : h.port();
    }

    /** The page's address once started, e.g. {@code http://127.0.0.1:8090/}. */
    public String url() {
        String host = config.getString(DashboardConfig.HOST);
        String shown = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host.contains(":") ? "[" + host + "]" : host;
        return "http://" + shown + ":" + port() + "/";
    }

    /** True while the page is served (for a readiness check). */
    public boolean serving() {
        return port() > 0;
    }

    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.shutdownNow();
            ticker = null;
        }
        if (http != null) {
            http.close();
            http = null;
        }
        if (feed != null) {
            feed.close();
        }
        followers.forEach(TopicFollower::close);
        followers.clear();
        if (unreadable != null) {
            registry.remove(unreadable);
            unreadable = null;
        }
    }
}
