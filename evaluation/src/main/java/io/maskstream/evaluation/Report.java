package io.maskstream.evaluation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.maskstream.events.ClassMetrics;
import io.maskstream.events.ModelMetrics;
import io.maskstream.evaluation.metrics.Calibration;
import io.maskstream.model.LabelCodec;
import io.maskstream.model.McDropout;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes an evaluation as deterministic JSON (stable key order, numbers rounded to 6 decimals, no timings:
 * the same replay gives the same bytes) and as a self-contained HTML page (inline CSS and SVG, no script, no
 * network), with charts of per-class F1, confusion heat maps, per-camera accuracy, reliability diagrams and a
 * side-by-side table. Calibration ({@link Calibration}): per version the ECE of the 18-class answer and of each head,
 * and the bins of each (count, mean confidence, accuracy).
 */
public final class Report {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    private static final String[] PALETTE = {"#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#718096"};

    private Report() {
    }

    static BigDecimal round(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return BigDecimal.ZERO;
        }
        return BigDecimal.valueOf(v).setScale(6, RoundingMode.HALF_EVEN).stripTrailingZeros();
    }

    /** The JSON document of a replay without MC-dropout. */
    public static String json(String range, int frames, boolean flipTta, List<VersionResult> results) {
        return json(range, frames, flipTta, McDropout.OFF, results);
    }

    /** The JSON document; {@code mc} is how the versions were sampled. */
    public static String json(String range, int frames, boolean flipTta, McDropout mc, List<VersionResult> results) {
        ObjectNode root = JSON.createObjectNode();
        root.put("range", range);
        root.put("frames", frames);
        root.put("flipTta", flipTta);
        ObjectNode mcNode = root.putObject("mcDropout");
        mcNode.put("passes", mc.passes());
        if (mc.enabled()) {
            mcNode.put("rate", round(mc.rate()));
        }
        root.put("calibrationBinning", Calibration.BINNING);
        root.put("metric", "18-class macro-F1 over the classes present in the truth or the predictions (sklearn 'macro')");
        ArrayNode versions = root.putArray("versions");
        for (VersionResult r : results) {
            ObjectNode v = versions.addObject();
            ModelMetrics m = r.metrics();
            v.put("version", r.version());
            v.put("architecture", r.architecture());
            v.put("macroF1", round(m.getMacroF1()));
            v.put("accuracy", round(m.getAccuracy()));
            v.put("maskF1", round(m.getMaskF1()));
            v.put("genderF1", round(m.getGenderF1()));
            v.put("ageF1", round(m.getAgeF1()));
            v.put("samples", m.getSamples());
            ArrayNode perClass = v.putArray("perClass");
            for (ClassMetrics c : m.getPerClass()) {
                ObjectNode o = perClass.addObject();
                o.put("class", c.getClassCode());
                o.put("label", LabelCodec.describe(c.getClassCode()));
                o.put("precision", round(c.getPrecision()));
                o.put("recall", round(c.getRecall()));
                o.put("f1", round(c.getF1()));
                o.put("support", c.getSupport());
            }
            ArrayNode confusion = v.putArray("confusion");
            for (List<Integer> row : m.getConfusion()) {
                ArrayNode a = confusion.addArray();
                row.forEach(a::add);
            }
            ObjectNode cams = v.putObject("perCamera");
            r.perCamera().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(e -> {
                ObjectNode c = cams.putObject(e.getKey());
                c.put("frames", e.getValue().frames());
                c.put("correct", e.getValue().correct());
                c.put("accuracy", round(e.getValue().accuracy()));
            });
            if (r.scenes() != null) {
                scenes(v.putObject("scenes"), r.scenes());
            }
            if (r.calibration() != null) {
                ObjectNode cal = v.putObject("calibration");
                calibration(cal.putObject("classes"), r.calibration().classes());
                calibration(cal.putObject("mask"), r.calibration().mask());
                calibration(cal.putObject("gender"), r.calibration().gender());
                calibration(cal.putObject("age"), r.calibration().age());
                Calibration.Spread spread = r.calibration().spread();
                if (spread != null) {
                    ObjectNode sp = cal.putObject("spread");
                    sp.put("samples", spread.samples());
                    sp.put("maskWhenRight", round(spread.maskWhenRight()));
                    sp.put("maskWhenWrong", round(spread.maskWhenWrong()));
                    sp.put("classesWhenRight", round(spread.classesWhenRight()));
                    sp.put("classesWhenWrong", round(spread.classesWhenWrong()));
                }
            }
            ArrayNode mistakes = v.putArray("confidentMistakes");
            for (VersionResult.Mistake mk : r.confidentMistakes()) {
                ObjectNode o = mistakes.addObject();
                o.put("frame", mk.frameId());
                o.put("source", mk.source());
                o.put("truth", LabelCodec.describe(mk.truth()));
                o.put("predicted", LabelCodec.describe(mk.predicted()));
                o.put("probability", round(mk.probability()));
            }
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Detection and per-face figures of the versions scored on scenes, side by side. */
    private static void sceneTable(StringBuilder h, List<VersionResult> results) {
        List<VersionResult> withScenes = results.stream().filter(r -> r.scenes() != null).toList();
        if (withScenes.isEmpty()) {
            return;
        }
        java.util.Set<String> masks = new java.util.TreeSet<>();
        withScenes.forEach(r -> masks.addAll(r.scenes().detection().byKey().keySet()));
        h.append("<h2>Scenes: detection at IoU 0.5 and per-face F1</h2><table><tr><th class=\"l\">version</th>")
                .append("<th class=\"l\">detector</th><th>scenes</th><th>faces</th><th>precision</th><th>recall</th>");
        masks.forEach(m -> h.append("<th>recall ").append(esc(m.toLowerCase(Locale.ROOT))).append("</th>"));
        h.append("<th>AP50</th><th>per-face macro-F1</th><th>missed</th></tr>");
        for (VersionResult r : withScenes) {
            SceneEvaluation.Result s = r.scenes();
            h.append("<tr><td class=\"l\">").append(esc(r.version())).append("</td><td class=\"l\">")
                    .append(esc(s.detectorVersion())).append("</td><td>").append(s.scenes()).append("</td><td>")
                    .append(s.faces().faces()).append("</td><td>").append(num(s.detection().precision())).append("</td><td>")
                    .append(num(s.detection().recall())).append("</td>");
            for (String m : masks) {
                var c = s.detection().byKey().get(m);
                h.append("<td>").append(c == null ? "" : num(c.recall())).append("</td>");
            }
            h.append("<td>").append(num(s.detection().averagePrecision())).append("</td><td>")
                    .append(num(s.faces().macroF1())).append("</td><td>").append(s.faces().missedFaces()).append("</td></tr>");
        }
        h.append("</table><p class=\"meta\">Per-face macro-F1 counts a face the detector missed as a wrong answer.</p>");
    }

    private static void calibration(ObjectNode o, Calibration.Result r) {
        o.put("ece", round(r.ece()));
        o.put("samples", r.samples());
        ArrayNode bins = o.putArray("bins");
        for (Calibration.Bin b : r.bins()) {
            ObjectNode bin = bins.addObject();
            bin.put("lower", round(b.lower()));
            bin.put("upper", round(b.upper()));
            bin.put("count", b.count());
            bin.put("meanConfidence", round(b.meanConfidence()));
            bin.put("accuracy", round(b.accuracy()));
        }
    }

    private static void scenes(ObjectNode o, SceneEvaluation.Result s) {
        o.put("detector", s.detectorVersion());
        o.put("scenes", s.scenes());
        o.put("faces", s.faces().faces());
        o.put("missedFaces", s.faces().missedFaces());
        ObjectNode d = o.putObject("detection");
        d.put("iou", s.detection().iou());
        d.put("precision", round(s.detection().precision()));
        d.put("recall", round(s.detection().recall()));
        double ap = s.detection().averagePrecision();
        if (Double.isNaN(ap)) {
            d.putNull("ap50");
        } else {
            d.put("ap50", round(ap));
        }
        d.put("truePositives", s.detection().counts().truePositives());
        d.put("falsePositives", s.detection().counts().falsePositives());
        d.put("falseNegatives", s.detection().counts().falseNegatives());
        ObjectNode byMask = d.putObject("recallByMask");
        s.detection().byKey().forEach((k, c) -> byMask.put(k, round(c.recall())));
        ObjectNode f = o.putObject("perFace");
        f.put("macroF1", round(s.faces().macroF1()));
        f.put("accuracy", round(s.faces().accuracy()));
        f.put("matchedMacroF1", round(s.faces().matched().macroF1()));
        f.put("note", "a face the detector missed counts as a wrong answer; matchedMacroF1 scores the found faces only");
    }

    /** Writes {@code evaluation.json} and {@code evaluation.html} into {@code dir}; returns the HTML path. */
    public static Path write(Path dir, String range, int frames, boolean flipTta, List<VersionResult> results)
            throws IOException {
        return write(dir, range, frames, flipTta, McDropout.OFF, results);
    }

    /** As {@link #write(Path, String, int, boolean, List)}, saying how the versions were sampled ({@code mc}). */
    public static Path write(Path dir, String range, int frames, boolean flipTta, McDropout mc, List<VersionResult> results)
            throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("evaluation.json"), json(range, frames, flipTta, mc, results), StandardCharsets.UTF_8);
        Path html = dir.resolve("evaluation.html");
        Files.writeString(html, html(range, frames, flipTta, mc, results), StandardCharsets.UTF_8);
        return html;
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** The HTML page of a replay without MC-dropout. */
    public static String html(String range, int frames, boolean flipTta, List<VersionResult> results) {
        return html(range, frames, flipTta, McDropout.OFF, results);
    }

    /** The HTML page; {@code mc} is how the versions were sampled. */
    public static String html(String range, int frames, boolean flipTta, McDropout mc, List<VersionResult> results) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>maskstream evaluation</title>")
                .append("<style>body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1a202c;")
                .append("background:#f7fafc}h1{margin:0 0 4px}h2{margin-top:32px;border-bottom:1px solid #cbd5e0}")
                .append("table{border-collapse:collapse;background:#fff;margin:8px 0}td,th{border:1px solid #e2e8f0;")
                .append("padding:4px 8px;text-align:right}th{background:#edf2f7}td.l,th.l{text-align:left}.best{font-weight:bold;")
                .append("background:#c6f6d5}.meta{color:#4a5568}.card{background:#fff;border:1px solid #e2e8f0;")
                .append("border-radius:6px;padding:12px;margin:12px 0;display:inline-block;vertical-align:top}")
                .append(".legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:12px;height:12px;")
                .append("margin-right:4px;vertical-align:middle}</style></head><body>");
        h.append("<h1>maskstream evaluation</h1><p class=\"meta\">").append(esc(range)).append(" &middot; ").append(frames)
                .append(" labeled frames &middot; flip TTA ").append(flipTta ? "on" : "off")
                .append(" &middot; MC-dropout ").append(mc.enabled() ? mc.passes() + " passes at rate " + mc.rate() : "off")
                .append(" &middot; metric: 18-class macro-F1 (the competition's)</p>");
        comparison(h, results);
        sceneTable(h, results);
        legend(h, results);
        h.append("<h2>Per-class F1</h2>").append(perClassChart(results));
        h.append("<h2>Accuracy per camera</h2>").append(perCameraChart(results));
        calibrationSection(h, results);
        h.append("<h2>Confusion matrices</h2>");
        for (VersionResult r : results) {
            h.append("<div class=\"card\"><b>").append(esc(r.version())).append("</b><br>").append(heatMap(r.metrics()))
                    .append("</div>");
        }
        h.append("<h2>Per-class precision / recall / F1</h2>");
        for (VersionResult r : results) {
            h.append("<div class=\"card\"><b>").append(esc(r.version())).append("</b><table><tr><th>class</th>")
                    .append("<th class=\"l\">label</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>");
            for (ClassMetrics c : r.metrics().getPerClass()) {
                h.append("<tr><td>").append(c.getClassCode()).append("</td><td class=\"l\">")
                        .append(LabelCodec.describe(c.getClassCode())).append("</td><td>").append(num(c.getPrecision()))
                        .append("</td><td>").append(num(c.getRecall())).append("</td><td>").append(num(c.getF1()))
                        .append("</td><td>").append(c.getSupport()).append("</td></tr>");
            }
            h.append("</table></div>");
        }
        h.append("<h2>Most confident mistakes</h2>");
        for (VersionResult r : results) {
            h.append("<div class=\"card\"><b>").append(esc(r.version())).append("</b><table><tr><th class=\"l\">frame</th>")
                    .append("<th class=\"l\">source</th><th class=\"l\">truth</th><th class=\"l\">predicted</th><th>p</th></tr>");
            for (VersionResult.Mistake m : r.confidentMistakes()) {
                h.append("<tr><td class=\"l\">").append(esc(m.frameId())).append("</td><td class=\"l\">").append(esc(m.source()))
                        .append("</td><td class=\"l\">").append(LabelCodec.describe(m.truth())).append("</td><td class=\"l\">")
                        .append(LabelCodec.describe(m.predicted())).append("</td><td>").append(num(m.probability()))
                        .append("</td></tr>");
            }
            h.append("</table></div>");
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    private static void comparison(StringBuilder h, List<VersionResult> results) {
        String[] names = {"macro-F1", "accuracy", "mask F1", "gender F1", "age F1"};
        double[][] values = new double[results.size()][];
        for (int i = 0; i < results.size(); i++) {
            ModelMetrics m = results.get(i).metrics();
            values[i] = new double[] {m.getMacroF1(), m.getAccuracy(), m.getMaskF1(), m.getGenderF1(), m.getAgeF1()};
        }
        h.append("<h2>Side by side</h2><table><tr><th class=\"l\">version</th><th class=\"l\">architecture</th>");
        for (String n : names) {
            h.append("<th>").append(n).append("</th>");
        }
        h.append("<th>frames/s</th></tr>");
        for (int i = 0; i < results.size(); i++) {
            h.append("<tr><td class=\"l\">").append(esc(results.get(i).version())).append("</td><td class=\"l\">")
                    .append(esc(results.get(i).architecture())).append("</td>");
            for (int k = 0; k < names.length; k++) {
                boolean best = true;
                for (double[] other : values) {
                    best &= values[i][k] >= other[k];
                }
                h.append("<td").append(best && results.size() > 1 ? " class=\"best\"" : "").append(">")
                        .append(num(values[i][k])).append("</td>");
            }
            h.append("<td>").append(String.format(Locale.ROOT, "%.1f", results.get(i).framesPerSecond())).append("</td></tr>");
        }
        h.append("</table>");
    }

    private static void legend(StringBuilder h, List<VersionResult> results) {
        h.append("<p class=\"legend\">");
        for (int i = 0; i < results.size(); i++) {
            h.append("<span><i class=\"sw\" style=\"background:").append(PALETTE[i % PALETTE.length]).append("\"></i>")
                    .append(esc(results.get(i).version())).append("</span>");
        }
        h.append("</p>");
    }

    /** Grouped bars: for each of the 18 classes, one bar per version. */
    static String perClassChart(List<VersionResult> results) {
        int classes = LabelCodec.CLASSES;
        int group = Math.max(1, results.size()) * 10 + 8;
        int width = Math.max(580, 50 + classes * group);
        int height = 240;
        StringBuilder s = new StringBuilder();
        s.append("<svg role=\"img\" aria-label=\"per-class F1\" width=\"").append(width).append("\" height=\"").append(height + 60)
                .append("\" style=\"background:#fff;border:1px solid #e2e8f0\">");
        for (int t = 0; t <= 4; t++) {
            double v = t / 4.0;
            int y = 10 + (int) ((1 - v) * height);
            s.append("<line x1=\"40\" x2=\"").append(width).append("\" y1=\"").append(y).append("\" y2=\"").append(y)
                    .append("\" stroke=\"#edf2f7\"/><text x=\"4\" y=\"").append(y + 4).append("\" font-size=\"10\">")
                    .append(String.format(Locale.ROOT, "%.2f", v)).append("</text>");
        }
        for (int c = 0; c < classes; c++) {
            int x0 = 45 + c * group;
            for (int i = 0; i < results.size(); i++) {
                double f1 = f1Of(results.get(i).metrics(), c);
                int barHeight = (int) Math.round(f1 * height);
                s.append("<rect x=\"").append(x0 + i * 10).append("\" y=\"").append(10 + height - barHeight)
                        .append("\" width=\"9\" height=\"").append(Math.max(0, barHeight)).append("\" fill=\"")
                        .append(PALETTE[i % PALETTE.length]).append("\"><title>").append(esc(results.get(i).version()))
                        .append(" class ").append(c).append(' ').append(LabelCodec.describe(c)).append(": F1 ")
                        .append(num(f1)).append("</title></rect>");
            }
            s.append("<text x=\"").append(x0).append("\" y=\"").append(height + 26).append("\" font-size=\"11\">").append(c)
                    .append("</text>");
        }
        s.append("<text x=\"45\" y=\"").append(height + 50).append("\" font-size=\"11\" fill=\"#4a5568\">class = mask*6 + ")
                .append("gender*3 + age (mask WORN/INCORRECT/NONE, gender MALE/FEMALE, age &lt;30/30-59/60+)</text></svg>");
        return s.toString();
    }

    private static double f1Of(ModelMetrics m, int code) {
        for (ClassMetrics c : m.getPerClass()) {
            if (c.getClassCode() == code) {
                return c.getF1();
            }
        }
        return 0;
    }

    static String perCameraChart(List<VersionResult> results) {
        java.util.SortedSet<String> cameras = new java.util.TreeSet<>();
        results.forEach(r -> cameras.addAll(r.perCamera().keySet()));
        int rowHeight = Math.max(1, results.size()) * 12 + 8;
        int height = 20 + cameras.size() * rowHeight;
        StringBuilder s = new StringBuilder("<svg role=\"img\" aria-label=\"accuracy per camera\" width=\"620\" height=\"")
                .append(height).append("\" style=\"background:#fff;border:1px solid #e2e8f0\">");
        int row = 0;
        for (String cam : cameras) {
            int y0 = 10 + row * rowHeight;
            s.append("<text x=\"4\" y=\"").append(y0 + 12).append("\" font-size=\"11\">").append(esc(cam)).append("</text>");
            for (int i = 0; i < results.size(); i++) {
                VersionResult.CameraAccuracy a = results.get(i).perCamera().get(cam);
                double acc = a == null ? 0 : a.accuracy();
                s.append("<rect x=\"140\" y=\"").append(y0 + i * 12).append("\" height=\"10\" width=\"")
                        .append((int) Math.round(acc * 400)).append("\" fill=\"").append(PALETTE[i % PALETTE.length])
                        .append("\"/><text x=\"").append(545).append("\" y=\"").append(y0 + i * 12 + 9)
                        .append("\" font-size=\"10\">").append(pct(acc)).append(a == null ? "" : " of " + a.frames())
                        .append("</text>");
            }
            row++;
        }
        return s.append("</svg>").toString();
    }

    private static void calibrationSection(StringBuilder h, List<VersionResult> results) {
        List<VersionResult> calibrated = results.stream().filter(r -> r.calibration() != null).toList();
        if (calibrated.isEmpty()) {
            return;
        }
        h.append("<h2>Calibration</h2><table><tr><th class=\"l\">version</th><th>ECE 18 classes</th><th>ECE mask</th>")
                .append("<th>ECE gender</th><th>ECE age</th><th>mask spread right / wrong</th></tr>");
        for (VersionResult r : calibrated) {
            Calibration.Summary c = r.calibration();
            h.append("<tr><td class=\"l\">").append(esc(r.version())).append("</td><td>").append(num(c.classes().ece()))
                    .append("</td><td>").append(num(c.mask().ece())).append("</td><td>").append(num(c.gender().ece()))
                    .append("</td><td>").append(num(c.age().ece())).append("</td><td>")
                    .append(c.spread() == null ? "&ndash;" : num(c.spread().maskWhenRight()) + " / "
                            + num(c.spread().maskWhenWrong())).append("</td></tr>");
        }
        h.append("</table><p class=\"meta\">").append(esc(Calibration.BINNING)).append(". Lower is better; 0 is a model ")
                .append("whose confidence is exactly how often it is right.</p>");
        h.append("<div class=\"card\"><b>18 classes</b><br>")
                .append(reliabilityDiagram("18-class reliability diagram", calibrated, Calibration.Summary::classes))
                .append("</div><div class=\"card\"><b>mask head</b><br>")
                .append(reliabilityDiagram("mask reliability diagram", calibrated, Calibration.Summary::mask)).append("</div>");
    }

    /**
     * Accuracy against mean confidence per non-empty bin, one line per version, over the diagonal of perfect
     * calibration; each point's title gives the bin, its count, confidence and accuracy.
     */
    static String reliabilityDiagram(String label, List<VersionResult> results,
                                     java.util.function.Function<Calibration.Summary, Calibration.Result> kind) {
        int size = 260;
        int left = 40;
        int top = 10;
        StringBuilder s = new StringBuilder("<svg role=\"img\" aria-label=\"").append(esc(label)).append("\" width=\"")
                .append(left + size + 20).append("\" height=\"").append(top + size + 40)
                .append("\" style=\"background:#fff;border:1px solid #e2e8f0\">");
        for (int t = 0; t <= 4; t++) {
            double v = t / 4.0;
            int y = top + (int) Math.round((1 - v) * size);
            int x = left + (int) Math.round(v * size);
            s.append("<line x1=\"").append(left).append("\" x2=\"").append(left + size).append("\" y1=\"").append(y)
                    .append("\" y2=\"").append(y).append("\" stroke=\"#edf2f7\"/><text x=\"4\" y=\"").append(y + 4)
                    .append("\" font-size=\"10\">").append(String.format(Locale.ROOT, "%.2f", v)).append("</text><text x=\"")
                    .append(x - 8).append("\" y=\"").append(top + size + 14).append("\" font-size=\"10\">")
                    .append(String.format(Locale.ROOT, "%.2f", v)).append("</text>");
        }
        s.append("<line x1=\"").append(left).append("\" y1=\"").append(top + size).append("\" x2=\"").append(left + size)
                .append("\" y2=\"").append(top).append("\" stroke=\"#a0aec0\" stroke-dasharray=\"4 3\"/>");
        for (int i = 0; i < results.size(); i++) {
            Calibration.Result r = kind.apply(results.get(i).calibration());
            String colour = PALETTE[i % PALETTE.length];
            StringBuilder points = new StringBuilder();
            StringBuilder dots = new StringBuilder();
            for (Calibration.Bin b : r.bins()) {
                if (b.count() == 0) {
                    continue;
                }
                int x = left + (int) Math.round(b.meanConfidence() * size);
                int y = top + (int) Math.round((1 - b.accuracy()) * size);
                points.append(x).append(',').append(y).append(' ');
                dots.append("<circle cx=\"").append(x).append("\" cy=\"").append(y).append("\" r=\"3\" fill=\"")
                        .append(colour).append("\"><title>").append(esc(results.get(i).version())).append(": confidence ")
                        .append(String.format(Locale.ROOT, "(%.3f, %.3f]", b.lower(), b.upper())).append(", ")
                        .append(b.count()).append(" answers, mean confidence ").append(num(b.meanConfidence()))
                        .append(", accuracy ").append(num(b.accuracy())).append("</title></circle>");
            }
            if (points.length() > 0) {
                s.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" points=\"")
                        .append(points.toString().trim()).append("\"/>");
            }
            s.append(dots);
        }
        s.append("<text x=\"").append(left).append("\" y=\"").append(top + size + 32).append("\" font-size=\"11\" ")
                .append("fill=\"#4a5568\">x: mean confidence per bin, y: accuracy; dashed: perfectly calibrated</text></svg>");
        return s.toString();
    }

    /** 18x18 heat map, rows true class, columns predicted; colour by row-normalised share. */
    static String heatMap(ModelMetrics m) {
        int cell = 18;
        int n = LabelCodec.CLASSES;
        int size = 30 + n * cell;
        StringBuilder s = new StringBuilder("<svg role=\"img\" aria-label=\"confusion matrix\" width=\"").append(size + 10)
                .append("\" height=\"").append(size + 24).append("\" style=\"background:#fff\">");
        List<List<Integer>> rows = m.getConfusion();
        for (int t = 0; t < n; t++) {
            int total = 0;
            for (int p = 0; p < n; p++) {
                total += rows.get(t).get(p);
            }
            s.append("<text x=\"2\" y=\"").append(30 + t * cell + 13).append("\" font-size=\"9\">").append(t).append("</text>");
            for (int p = 0; p < n; p++) {
                int count = rows.get(t).get(p);
                double share = total == 0 ? 0 : count / (double) total;
                int shade = (int) Math.round(255 - share * 200);
                String colour = t == p ? String.format("#%02x%02xff", shade, shade)
                        : String.format("#ff%02x%02x", shade, shade);
                s.append("<rect x=\"").append(20 + p * cell).append("\" y=\"").append(30 + t * cell).append("\" width=\"")
                        .append(cell - 1).append("\" height=\"").append(cell - 1).append("\" fill=\"")
                        .append(count == 0 ? "#f7fafc" : colour).append("\"><title>true ").append(LabelCodec.describe(t))
                        .append(", predicted ").append(LabelCodec.describe(p)).append(": ").append(count).append("</title></rect>");
            }
        }
        for (int p = 0; p < n; p++) {
            s.append("<text x=\"").append(22 + p * cell).append("\" y=\"24\" font-size=\"9\">").append(p).append("</text>");
        }
        s.append("<text x=\"20\" y=\"").append(size + 18).append("\" font-size=\"10\" fill=\"#4a5568\">rows: truth, ")
                .append("columns: prediction</text></svg>");
        return s.toString();
    }
}
