package io.maskstream.app.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.maskstream.embedded.EmbeddedStack;
import io.maskstream.embedded.SharedTestStack;
import io.maskstream.events.AgeBand;
import io.maskstream.events.Alert;
import io.maskstream.events.AlertKind;
import io.maskstream.events.Classification;
import io.maskstream.events.Gender;
import io.maskstream.events.MaskState;
import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseStatus;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.schemas.TopicAdmin;
import io.maskstream.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The dashboard against a real broker and registry, looked at in a real headless Chromium (Debian's
 * {@code chromium} and {@code chromedriver}, never downloaded): cameras publish classifications from a
 * background thread while the page is open; the live counters move, an alert produced after the page loaded
 * appears in the feed, a detect-mode camera's card draws its people's boxes with their track ids on a blank
 * canvas (frames are off), the model panel shows the releases, the console stays free of errors; with frames on and
 * credentials configured, every path answers 401 without them (the browser sees no page and no frame) and the page
 * works with them; and the test
 * leaves a screenshot in {@code target/dashboard.png} (copy it to {@code docs/} to refresh the README's; pass
 * {@code -Dmaskstream.docs.dir=../docs} to write it there directly).
 */
class DashboardIntegrationTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final Path CHROMIUM = Path.of(System.getProperty("maskstream.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("maskstream.chromedriver", "/usr/bin/chromedriver"));
    static final List<String> CAMERAS = List.of("cam-entrance", "cam-lobby", "cam-side-door");
    /** A detect-mode camera: two tracked people, #1 masked, #2 not, walking slowly to the right. */
    static final String SCENE_CAMERA = "cam-hall";

    static final String TOKEN = "dash-t0ken-" + UUID.randomUUID();
    static final String PASSWORD = "dash-pw-" + UUID.randomUUID();

    static EmbeddedStack stack;

    @TempDir
    Path tmp;

    DashboardService dashboard;
    /** The Authorization header {@link #get} sends; null: none. */
    String authorization;
    Thread cameras;
    final AtomicBoolean running = new AtomicBoolean(true);
    WebDriver browser;
    ChromeDriverService driverService;

    @BeforeAll
    static void startStack() {
        stack = SharedTestStack.get();
    }

    @AfterEach
    void stopEverything() throws Exception {
        running.set(false);
        if (browser != null) {
            browser.quit();
        }
        if (driverService != null) {
            driverService.stop();
        }
        if (cameras != null) {
            cameras.join(10_000);
        }
        if (dashboard != null) {
            dashboard.close();
        }
        if (evaluationServer != null) {
            evaluationServer.close();
            evaluationServer = null;
        }
    }

    private io.maskstream.runtime.metrics.MetricsServer evaluationServer;

    /** The four gauges the online evaluation exports per version, with fixed values. */
    static void onlineGauges(io.micrometer.core.instrument.MeterRegistry registry, String version, double f1, long labeled,
                             double agreement, long compared) {
        io.micrometer.core.instrument.Gauge.builder("maskstream.evaluation.online.macro.f1", () -> f1).tag("version", version).register(registry);
        io.micrometer.core.instrument.Gauge.builder("maskstream.evaluation.online.samples", () -> labeled).tag("version", version).register(registry);
        io.micrometer.core.instrument.Gauge.builder("maskstream.evaluation.online.agreement", () -> agreement).tag("version", version).register(registry);
        io.micrometer.core.instrument.Gauge.builder("maskstream.evaluation.online.agreement.frames", () -> compared).tag("version", version).register(registry);
    }

    DashboardConfig config(String id, Path reports) {
        return config(id, reports, Map.of());
    }

    DashboardConfig config(String id, Path reports, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(extra);
        settings.put("bootstrap.servers", stack.bootstrapServers());
        settings.put("schema.registry.url", stack.registryUrl());
        for (String topic : List.of("frames", "labeled.frames", "classifications", "alerts", "model.releases",
                "model.artifacts", "drift")) {
            settings.put("topic." + topic, "dash-" + topic.replace('.', '-') + "-" + id);
        }
        settings.put("topic.partitions", "2");
        settings.put(DashboardConfig.PORT, "0");
        settings.put(DashboardConfig.REPORT_DIR, reports.toString());
        settings.put("kafka.producer.linger.ms", "5");
        return new DashboardConfig(ConfigSource.of(settings));
    }

    static <V extends org.apache.avro.specific.SpecificRecord> KafkaProducer<String, V> producer(ServiceConfig config,
            io.maskstream.schemas.Topic<String, V> topic) {
        Map<String, Object> props = new HashMap<>(config.kafkaProperties(ServiceConfig.ClientKind.PRODUCER));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), topic.valueSerde().serializer());
    }

    /** Three cameras at ~10 fps each: two mostly masked, the side door mostly not. */
    void startCameras(DashboardConfig config, AtomicLong sent) {
        Topics topics = new Topics(config);
        cameras = new Thread(() -> {
            Random random = new Random(7);
            long seq = 0;
            try (KafkaProducer<String, Classification> producer = producer(config, topics.classifications())) {
                while (running.get()) {
                    seq++;
                    for (String camera : CAMERAS) {
                        MaskState mask = camera.equals("cam-side-door")
                                ? (random.nextDouble() < 0.8 ? MaskState.NONE : MaskState.INCORRECT)
                                : (random.nextDouble() < 0.9 ? MaskState.WORN : MaskState.INCORRECT);
                        Gender gender = random.nextBoolean() ? Gender.FEMALE : Gender.MALE;
                        AgeBand age = AgeBand.values()[random.nextInt(3)];
                        long latency = 35 + (long) (random.nextDouble() * random.nextDouble() * 160);
                        producer.send(new ProducerRecord<>(topics.classifications().name(), camera,
                                DashboardEvents.classification(camera, seq, Instant.now(), latency, mask,
                                        0.7f + random.nextFloat() * 0.29f, gender, 0.6f + random.nextFloat() * 0.39f,
                                        age, 0.45f + random.nextFloat() * 0.5f, "fastnet-20250301-1")));
                        sent.incrementAndGet();
                    }
                    float dx = seq % 50;
                    Classification scene = DashboardEvents.scene(SCENE_CAMERA, seq, Instant.now().toEpochMilli(), 80,
                            DashboardEvents.face(300 + dx, 180, 220, 260, MaskState.WORN, 0.97f, 1L),
                            DashboardEvents.face(900 + dx, 260, 150, 180, MaskState.NONE, 0.88f, 2L));
                    scene.setModelVersion("fastnet-20250301-1");
                    producer.send(new ProducerRecord<>(topics.classifications().name(), SCENE_CAMERA, scene));
                    sent.incrementAndGet();
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "test-cameras");
        cameras.setDaemon(true);
        cameras.start();
    }

    WebDriver chromium() throws Exception {
        assertThat(CHROMIUM).as("Debian package chromium").isExecutable();
        assertThat(CHROMEDRIVER).as("Debian package chromium-driver").isExecutable();
        // The driver is named explicitly, so Selenium Manager never runs (it would try to download one).
        driverService = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .withLogOutput(java.io.OutputStream.nullOutputStream()).build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--no-default-browser-check", "--user-data-dir=" + Files.createDirectories(tmp.resolve("chromium")),
                "--window-size=1440,1280", "--lang=en-US");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        return new ChromeDriver(driverService, options);
    }

    long domNumber(String cssSelector) {
        List<WebElement> found = browser.findElements(By.cssSelector(cssSelector));
        if (found.isEmpty()) {
            return -1;
        }
        String v = found.get(0).getDomAttribute("data-value");
        return v == null ? -1 : Long.parseLong(v);
    }

    @Test
    void pageShowsLiveCountsAlertsAndModelsInHeadlessChromiumWithoutConsoleErrors() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        Path reports = Files.createDirectories(tmp.resolve("reports/eval-20250301"));
        Files.writeString(reports.resolve("report.html"), "<!DOCTYPE html><title>eval</title><h1>Evaluation</h1>");
        Files.writeString(reports.resolve("metrics.json"), "{\"macroF1\":0.74}");
        // the online evaluation's metrics endpoint, with its live figures per version (gauges of the same names)
        io.micrometer.prometheusmetrics.PrometheusMeterRegistry evaluationMetrics = io.maskstream.runtime.metrics.MetricsServer.newRegistry();
        onlineGauges(evaluationMetrics, "fastnet-20250301-1", 0.712, 540, Double.NaN, 0);
        onlineGauges(evaluationMetrics, "fastnet-20250301-3", 0.655, 61, 0.874, 612);
        onlineGauges(evaluationMetrics, "fastnet-20250301-4", 0.745, 540, 0.931, 5400);
        evaluationServer = new io.maskstream.runtime.metrics.MetricsServer("127.0.0.1", 0, evaluationMetrics, () -> true);
        evaluationServer.start();
        DashboardConfig config = config(id, tmp.resolve("reports"), Map.of(DashboardConfig.EVALUATION_METRICS_URL,
                evaluationServer.url() + "/metrics"));
        TopicAdmin.ensure(config);
        Topics topics = new Topics(config);

        Instant t = Instant.now();
        try (KafkaProducer<String, ModelRelease> releases = producer(config, topics.modelReleases())) {
            ModelRelease canary = ModelRelease.newBuilder(DashboardEvents.release("fastnet-20250301-3", ReleaseStatus.CANARY,
                    t.minusSeconds(600), 0.70)).setCanaryShare(0.1).build();
            for (ModelRelease r : List.of(
                    DashboardEvents.release("fastnet-20250301-1", ReleaseStatus.ACTIVE, t.minusSeconds(3600), 0.684),
                    DashboardEvents.release("fastnet-20250301-2", ReleaseStatus.CANDIDATE, t.minusSeconds(120), 0.731),
                    DashboardEvents.release("initial-untrained", ReleaseStatus.RETIRED, t.minusSeconds(7200), 0.021),
                    canary, DashboardEvents.release("fastnet-20250301-4", ReleaseStatus.SHADOW, t.minusSeconds(900), 0.74))) {
                releases.send(new ProducerRecord<>(topics.modelReleases().name(), r.getVersion(), r)).get();
            }
        }

        dashboard = new DashboardService(config, new SimpleMeterRegistry());
        dashboard.start();
        assertThat(dashboard.port()).isPositive();
        assertThat(dashboard.url()).startsWith("http://127.0.0.1:");
        await().atMost(WAIT).until(() -> state().at("/topics").size() == 4
                && state().findValuesAsText("state").stream().allMatch("following"::equals));
        AtomicLong sent = new AtomicLong();
        startCameras(config, sent);

        browser = chromium();
        browser.get(dashboard.url());
        assertThat(browser.getTitle()).contains("maskstream");

        // live numbers move while events flow
        await().atMost(WAIT).until(() -> domNumber("#kpi-events") > 0);
        long first = domNumber("#kpi-events");
        long firstCamera = domNumber("[data-camera='cam-lobby'] .events");
        Thread.sleep(3000);
        await().atMost(WAIT).until(() -> domNumber("#kpi-events") > first);
        await().atMost(WAIT).until(() -> domNumber("[data-camera='cam-lobby'] .events") > firstCamera);
        await().atMost(WAIT).until(() -> browser.findElements(By.cssSelector(".camera")).size() == CAMERAS.size() + 1);
        assertThat(browser.findElement(By.id("kpi-p99")).getText()).matches("[0-9,]+");
        assertThat(browser.findElement(By.cssSelector("[data-camera='cam-side-door'] .verdict .label")).getText())
                .isIn("no mask", "incorrectly worn");

        // a detect-mode camera: each person's box on the canvas, labelled with mask state, track id and probability
        By hall = By.cssSelector("[data-camera='" + SCENE_CAMERA + "'] .scene canvas");
        await().atMost(WAIT).until(() -> "2".equals(browser.findElement(hall).getDomAttribute("data-boxes")));
        WebElement canvas = browser.findElement(hall);
        assertThat(canvas.getDomAttribute("data-labels")).isEqualTo("#1 worn 97%, #2 none 88%");
        assertThat(canvas.getDomAttribute("aria-label")).contains("#2 none 88%", "frame size unknown");
        assertThat(browser.findElements(By.cssSelector("[data-camera='" + SCENE_CAMERA + "'] .faces li")))
                .extracting(li -> li.getDomAttribute("data-track")).containsExactly("1", "2");
        assertThat(browser.findElement(By.cssSelector("[data-camera='" + SCENE_CAMERA + "'] .in-view")).getText())
                .isEqualTo("2 people in view");
        assertThat(browser.findElement(By.cssSelector("[data-camera='" + SCENE_CAMERA + "']")).getDomAttribute("class"))
                .contains("mask-NONE"); // the worst mask state in view colours the card
        JsonNode hallState = cameraState(SCENE_CAMERA);
        assertThat(hallState.at("/faces/1/trackId").asLong()).isEqualTo(2);
        assertThat(hallState.at("/tracksSeen").asLong()).isEqualTo(2);
        assertThat(hallState.at("/frameSize/from").asText()).isEqualTo("boxes");

        // the model panel shows the releases and their metrics
        await().atMost(WAIT).until(() -> browser.findElements(By.cssSelector("#models tr")).size() == 3);
        WebElement active = browser.findElement(By.cssSelector("#models tr.ACTIVE"));
        assertThat(active.getDomAttribute("data-version")).isEqualTo("fastnet-20250301-1");
        assertThat(active.getText()).contains("0.684");
        assertThat(browser.findElement(By.cssSelector("#models tr.CANDIDATE")).getText()).contains("0.731", "+0.047");
        assertThat(browser.findElement(By.id("kpi-model")).getText()).isEqualTo("fastnet-20250301-1");

        // versions live on the stream with the online evaluation's figures: F1 (labeled frames), agreement (frames)
        By live = By.cssSelector("#live-versions tr");
        await().atMost(WAIT).until(() -> browser.findElements(live).size() == 3
                && browser.findElement(By.cssSelector("#live-versions tr.SHADOW")).getText().contains("0.931"));
        assertThat(browser.findElements(live)).extracting(r -> r.getDomAttribute("data-version"))
                .containsExactly("fastnet-20250301-1", "fastnet-20250301-3", "fastnet-20250301-4");
        assertThat(browser.findElement(By.cssSelector("#live-versions tr.ACTIVE")).getText()).contains("active", "0.712", "540");
        assertThat(browser.findElement(By.cssSelector("#live-versions tr.CANARY")).getText())
                .contains("canary · 10% of cameras", "0.655", "61", "0.874", "612");
        assertThat(browser.findElement(By.cssSelector("#live-versions tr.SHADOW")).getText()).contains("shadow", "0.745", "5,400");

        // report links, served read-only by the dashboard
        await().atMost(WAIT).until(() -> browser.findElements(By.cssSelector("#reports a")).size() == 2);
        String href = browser.findElement(By.cssSelector("#reports a[href$='report.html']")).getDomAttribute("href");
        assertThat(get(href).body()).contains("<h1>Evaluation</h1>");
        assertThat(get("/reports/..%2F..%2Fetc%2Fpasswd").statusCode()).isEqualTo(404);

        // an alert produced now appears in the feed
        Alert alert = DashboardEvents.alert("cam-side-door", AlertKind.NO_MASK, 4200, Instant.now(), "fastnet-20250301-1");
        try (KafkaProducer<String, Alert> alerts = producer(config, topics.alerts())) {
            alerts.send(new ProducerRecord<>(topics.alerts().name(), alert.getCameraId(), alert)).get();
        }
        By alertItem = By.cssSelector("#alert-feed li[data-alert-id='" + alert.getAlertId() + "']");
        await().atMost(WAIT).until(() -> !browser.findElements(alertItem).isEmpty());
        assertThat(browser.findElement(alertItem).getText()).contains("No mask", "cam-side-door", "8 of 10 frames");
        Alert personAlert = DashboardEvents.alert(SCENE_CAMERA, AlertKind.NO_MASK, 40, Instant.now(), "fastnet-20250301-1", 2);
        try (KafkaProducer<String, Alert> alerts = producer(config, topics.alerts())) {
            alerts.send(new ProducerRecord<>(topics.alerts().name(), personAlert.getCameraId(), personAlert)).get();
        }
        By personItem = By.cssSelector("#alert-feed li[data-alert-id='" + personAlert.getAlertId() + "']");
        await().atMost(WAIT).until(() -> !browser.findElements(personItem).isEmpty());
        assertThat(browser.findElement(personItem).getText()).contains("No mask", SCENE_CAMERA, "person #2");
        assertThat(browser.findElement(alertItem).getText()).doesNotContain("person #");
        assertThat(domNumber("#kpi-alerts")).isEqualTo(2);
        await().atMost(WAIT).until(() -> browser.findElement(By.cssSelector("[data-camera='cam-side-door'] .badge"))
                .getText().equals("No mask"));

        // a drift event produced now shows in the drift panel, drifting
        try (KafkaProducer<String, io.maskstream.events.DriftEvent> drift = producer(config, topics.drift())) {
            drift.send(new ProducerRecord<>(topics.drift().name(), "cam-side-door", DashboardEvents.drift("cam-side-door",
                    "fastnet-20250301-1", io.maskstream.events.DriftStatistic.CLASS_MIX,
                    io.maskstream.events.DriftState.RAISED, 0.734, Instant.now()))).get();
        }
        By driftRow = By.cssSelector("#drift tr.RAISED[data-window='cam-side-door'][data-statistic='CLASS_MIX']");
        await().atMost(WAIT).until(() -> !browser.findElements(driftRow).isEmpty());
        assertThat(browser.findElement(driftRow).getText()).contains("cam-side-door", "class mix", "drifting", "0.734",
                "> 0.25", "300", "training profile");
        assertThat(browser.findElement(By.id("drift-summary")).getText()).isEqualTo("1 drifting now");

        // privacy: no frames by default, nothing on the page points at one
        assertThat(get("/frames/cam-lobby").statusCode()).isEqualTo(404);
        assertThat(browser.findElements(By.cssSelector("#cameras img"))).isEmpty();
        assertThat(browser.findElements(By.cssSelector(".scene canvas"))).hasSize(CAMERAS.size() + 1)
                .allSatisfy(c -> assertThat(c.getDomAttribute("data-background")).isEqualTo("blank"));

        // let the charts fill a little, then a screenshot of the whole page
        Thread.sleep(3000);
        long pageHeight = (Long) ((ChromeDriver) browser).executeScript(
                "return Math.ceil(document.documentElement.scrollHeight)");
        long chromeHeight = (Long) ((ChromeDriver) browser).executeScript(
                "return window.outerHeight - window.innerHeight");
        browser.manage().window().setSize(new Dimension(1440, (int) (pageHeight + chromeHeight)));
        Thread.sleep(1200); // the charts redraw at the next update
        byte[] png = ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES);
        Path docs = Path.of(System.getProperty("maskstream.docs.dir", "target"));
        Files.createDirectories(docs);
        Files.write(docs.resolve("dashboard.png"), png);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image.getWidth()).isGreaterThan(1000);
        assertThat(distinctColours(image)).as("distinct colours in the screenshot").isGreaterThan(50);

        List<LogEntry> console = browser.manage().logs().get(LogType.BROWSER).getAll();
        assertThat(console).as("browser console errors").noneMatch(e -> e.getLevel().intValue() >= Level.SEVERE.intValue());
        assertThat(sent.get()).isGreaterThan(0);
    }

    @Test
    void latestFrameOfACameraIsServedOnlyWhenFramesAreSwitchedOnAndIsThenTheBackgroundOfItsBoxes() throws Exception {
        // With frames on, the dashboard requires credentials (Basic for the browser, a token for scripts).
        String id = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> settings = new HashMap<>(config(id, tmp).originals().entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue()))));
        settings.put(DashboardConfig.SHOW_FRAMES, "true");
        settings.put(DashboardConfig.AUTH_BASIC_USER, "ops");
        settings.put(DashboardConfig.AUTH_BASIC_PASSWORD, PASSWORD);
        settings.put(DashboardConfig.AUTH_TOKEN, TOKEN);
        authorization = "Bearer " + TOKEN;
        DashboardConfig config = new DashboardConfig(ConfigSource.of(settings));
        TopicAdmin.ensure(config);
        Topics topics = new Topics(config);
        dashboard = new DashboardService(config, new SimpleMeterRegistry());
        dashboard.start();
        await().atMost(WAIT).until(() -> state().at("/topics").size() == 5 // with frames: the frames topic too
                && state().findValuesAsText("state").stream().allMatch("following"::equals));

        BufferedImage face = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        face.getGraphics().fillOval(16, 8, 32, 32);
        java.io.ByteArrayOutputStream jpeg = new java.io.ByteArrayOutputStream();
        ImageIO.write(face, "jpg", jpeg);
        try (KafkaProducer<String, io.maskstream.events.Frame> frames = producer(config, topics.frames())) {
            for (long seq = 1; seq <= 3; seq++) {
                frames.send(new ProducerRecord<>(topics.frames().name(), "cam-1", io.maskstream.events.Frame.newBuilder()
                        .setCameraId("cam-1").setSequence(seq).setCaptureTime(Instant.now())
                        .setImage(java.nio.ByteBuffer.wrap(jpeg.toByteArray())).setContentType("image/jpeg")
                        .setWidth(64).setHeight(48).setSource(null).build())).get();
            }
        }
        await().atMost(WAIT).until(() -> state().at("/cameras/0/frameShown").asLong() == 3);
        assertThat(state().at("/showFrames").asBoolean()).isTrue();
        assertThat(state().at("/cameras/0/frameSize").toString()).isEqualTo("{\"width\":64,\"height\":48,\"from\":\"frame\"}");
        HttpResponse<byte[]> image = HttpClient.newHttpClient().send(request("/frames/cam-1").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(image.statusCode()).isEqualTo(200);
        assertThat(image.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        assertThat(image.body()).isEqualTo(jpeg.toByteArray());
        assertThat(get("/frames/cam-unknown").statusCode()).isEqualTo(404);

        // Without valid credentials every path is 401 with a challenge, and no frame byte leaves.
        for (String wrong : new String[] {null, "Bearer " + TOKEN + "x", "Bearer " + PASSWORD,
                "Basic " + java.util.Base64.getEncoder().encodeToString(("ops:" + TOKEN).getBytes())}) {
            authorization = wrong;
            for (String path : List.of("/", "/index.html", "/static/dashboard.js", "/api/state", "/events",
                    "/frames/cam-1", "/reports/x", "/no-such-path")) {
                HttpResponse<byte[]> refused = HttpClient.newHttpClient().send(request(path).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(refused.statusCode()).as("%s with %s", path, wrong).isEqualTo(401);
                assertThat(refused.headers().allValues("WWW-Authenticate")).as(path)
                        .containsExactly("Basic realm=\"maskstream dashboard\", charset=\"UTF-8\"",
                                "Bearer realm=\"maskstream dashboard\"");
                assertThat(new String(refused.body(), java.nio.charset.StandardCharsets.UTF_8))
                        .isEqualTo("authentication required\n");
            }
        }
        authorization = "Basic " + java.util.Base64.getEncoder().encodeToString(("ops:" + PASSWORD).getBytes());
        assertThat(get("/api/state").statusCode()).isEqualTo(200);
        authorization = "Bearer " + TOKEN;

        // the page draws the face's box over that frame, in the frame's 64x48 pixels
        try (KafkaProducer<String, Classification> classifications = producer(config, topics.classifications())) {
            classifications.send(new ProducerRecord<>(topics.classifications().name(), "cam-1", DashboardEvents.scene(
                    "cam-1", 3, Instant.now().toEpochMilli(), 40,
                    DashboardEvents.face(16, 8, 32, 32, MaskState.INCORRECT, 0.81f, 4L)))).get();
        }
        browser = chromium();
        // The browser without credentials: neither the page nor the frame asked for directly is shown (Chromium
        // leaves the 401's document empty while it would prompt for the password).
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
        for (String path : List.of("", "frames/cam-1")) {
            browser.get(dashboard.url() + path);
            assertThat(browser.getTitle()).as(path).doesNotContain("maskstream");
            assertThat(browser.findElements(By.cssSelector("img, canvas, #cameras"))).as(path).isEmpty();
            assertThat(browser.findElement(By.tagName("body")).getText()).as(path).doesNotContain("cam-1");
        }
        // With them the page and its live stream work: Basic credentials given once in the address are then sent by
        // the browser itself, as after a user typed them at the prompt; the page's address then holds none.
        browser.get(dashboard.url().replace("http://", "http://ops:" + PASSWORD + "@"));
        browser.get(dashboard.url());
        assertThat(browser.getTitle()).contains("maskstream");
        // The logged-in page asking for the frame without its credentials gets the 401 text, not the image.
        Object refused = ((ChromeDriver) browser).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch('/frames/cam-1', {credentials: 'omit', cache: 'no-store'}).then(r => r.text().then(t => "
                + "done(r.status + ' ' + r.headers.get('Content-Type') + ' ' + t.trim()))).catch(e => done('error ' + e));");
        assertThat(refused).isEqualTo("401 text/plain; charset=utf-8 authentication required");
        Object served = ((ChromeDriver) browser).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch('/frames/cam-1', {cache: 'no-store'}).then(r => r.arrayBuffer().then(b => "
                + "done(r.status + ' ' + r.headers.get('Content-Type') + ' ' + b.byteLength))).catch(e => done('error ' + e));");
        assertThat(served).isEqualTo("200 image/jpeg " + jpeg.size());
        By canvas = By.cssSelector("[data-camera='cam-1'] .scene canvas");
        await().atMost(WAIT).until(() -> !browser.findElements(canvas).isEmpty()
                && "frame".equals(browser.findElement(canvas).getDomAttribute("data-background")));
        assertThat(browser.findElement(canvas).getDomAttribute("data-labels")).isEqualTo("#4 incorrect 81%");
        assertThat(browser.findElement(By.cssSelector("[data-camera='cam-1'] .scene")).getDomAttribute("data-aspect"))
                .isEqualTo("1.3333");
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(dashboard.url()).resolve(path)).timeout(Duration.ofSeconds(10));
        return authorization == null ? b : b.header("Authorization", authorization);
    }

    HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(request(path).build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode state() throws Exception {
        HttpResponse<String> r = get("/api/state");
        assertThat(r.statusCode()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body());
    }

    JsonNode cameraState(String camera) throws Exception {
        for (JsonNode c : state().at("/cameras")) {
            if (c.at("/id").asText().equals(camera)) {
                return c;
            }
        }
        throw new AssertionError("no camera " + camera + " in /api/state");
    }

    static int distinctColours(BufferedImage image) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                colours.add(image.getRGB(x, y) & 0xF8F8F8);
            }
        }
        return colours.size();
    }
}
