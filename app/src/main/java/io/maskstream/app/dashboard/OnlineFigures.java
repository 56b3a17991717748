package io.maskstream.app.dashboard;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The online evaluation's live figures per model version, read from its own {@code /metrics} endpoint (Prometheus
 * text, {@value DashboardConfig#EVALUATION_METRICS_URL}): one source of truth, the same numbers Prometheus scrapes,
 * and the dashboard still writes nothing anywhere. Only four gauges are read:
 * {@code maskstream_evaluation_online_macro_f1} and {@code _samples} (labeled frames), {@code _agreement} and
 * {@code _agreement_frames} (frames compared with the active model).
 */
final class OnlineFigures {

    static final String F1 = "maskstream_evaluation_online_macro_f1";
    static final String SAMPLES = "maskstream_evaluation_online_samples";
    static final String AGREEMENT = "maskstream_evaluation_online_agreement";
    static final String AGREEMENT_FRAMES = "maskstream_evaluation_online_agreement_frames";

    /** One version's figures; a figure is null until it was measured on at least one frame. */
    record Figures(Double macroF1, long labeledFrames, Double agreement, long agreementFrames) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI uri;

    OnlineFigures(URI uri) {
        this.uri = uri;
    }

    /** The figures now; throws when the endpoint cannot be read (the caller keeps the last ones). */
    Map<String, Figures> fetch() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(uri + " answered HTTP " + r.statusCode());
        }
        return parse(r.body());
    }

    /** The four gauges of every version in a Prometheus text exposition; other lines are ignored. */
    static Map<String, Figures> parse(String text) {
        Map<String, Map<String, Double>> byVersion = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            int brace = line.indexOf('{');
            int close = line.lastIndexOf('}');
            if (brace < 0 || close < brace) {
                continue;
            }
            String name = line.substring(0, brace);
            if (!name.equals(F1) && !name.equals(SAMPLES) && !name.equals(AGREEMENT) && !name.equals(AGREEMENT_FRAMES)) {
                continue;
            }
            String version = label(line.substring(brace + 1, close), "version");
            String[] rest = line.substring(close + 1).trim().split("\\s+");
            if (version == null || rest.length == 0) {
                continue;
            }
            try {
                byVersion.computeIfAbsent(version, v -> new HashMap<>()).put(name, Double.parseDouble(rest[0]));
            } catch (NumberFormatException e) {
                // not a sample line we know: skipped
            }
        }
        Map<String, Figures> figures = new TreeMap<>();
        byVersion.forEach((version, m) -> {
            long labeled = Math.round(m.getOrDefault(SAMPLES, 0.0));
            long compared = Math.round(m.getOrDefault(AGREEMENT_FRAMES, 0.0));
            Double f1 = labeled > 0 ? m.get(F1) : null;
            Double agreement = compared > 0 && m.containsKey(AGREEMENT) && !m.get(AGREEMENT).isNaN() ? m.get(AGREEMENT) : null;
            figures.put(version, new Figures(f1, labeled, agreement, compared));
        });
        return figures;
    }

    /** The value of label {@code key} in {@code a="x",b="y"} (Prometheus escapes: \\, \", \n). */
    private static String label(String labels, String key) {
        int i = 0;
        while (i < labels.length()) {
            int eq = labels.indexOf('=', i);
            if (eq < 0 || eq + 1 >= labels.length() || labels.charAt(eq + 1) != '"') {
                return null;
            }
            String name = labels.substring(i, eq).trim();
            StringBuilder value = new StringBuilder();
            int j = eq + 2;
            for (; j < labels.length() && labels.charAt(j) != '"'; j++) {
                char c = labels.charAt(j);
                if (c == '\\' && j + 1 < labels.length()) {
                    char n = labels.charAt(++j);
                    value.append(n == 'n' ? '\n' : n);
                } else {
                    value.append(c);
                }
            }
            if (name.equals(key)) {
                return value.toString();
            }
            i = j + 1;
            while (i < labels.length() && (labels.charAt(i) == ',' || labels.charAt(i) == ' ')) {
                i++;
            }
        }
        return null;
    }
}
