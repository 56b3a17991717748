package io.maskstream.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.maskstream.model.InvalidModelException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * metadata.json, written field by field in a fixed order (so the same metadata is always the same
 * bytes) and read back with a readable complaint for every missing or absurd field. Also writes the
 * label map, so a bundle explains its own outputs to anyone who opens it; reading checks that map.
 */
final class MetadataJson {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Two-space indent and "\n" everywhere, whatever the platform's line separator: same bytes on every OS. */
    private static final ObjectWriter WRITER = JSON.writer(new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n")));
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    /** More features per image than any CNN gives (ResNet-152 and EfficientNet-B7 give 2,048 and 2,560): corrupt. */
    private static final int MAX_BACKBONE_FEATURES = 1 << 16;

    private MetadataJson() {
    }

    static byte[] write(BundleMetadata m) {
        ObjectNode root = JSON.createObjectNode();
        root.put("formatVersion", m.formatVersion());
        root.put("version", m.version());
        root.put("architecture", m.architecture());
        root.put("heads", m.heads().name());
        ObjectNode input = root.putObject("input");
        input.put("width", m.input().width());
        input.put("height", m.input().height());
        input.put("layout", "NCHW float32, RGB, (value/255 - mean) / std");
        ArrayNode mean = input.putArray("mean");
        ArrayNode std = input.putArray("std");
        for (int c = 0; c < 3; c++) {
            mean.add(m.input().mean(c));
            std.add(m.input().std(c));
        }
        if (m.heads().isDetector()) {
            root.put("outputs", "[N," + FaceGrid.CHANNELS + ",H/" + FaceGrid.STRIDE + ",W/" + FaceGrid.STRIDE
                    + "] per cell: objectness logit, centre dx, dy from the cell centre (cells), log(width/"
                    + (int) FaceGrid.REFERENCE_SIZE + "), log(height/" + (int) FaceGrid.REFERENCE_SIZE + ") (input px)");
        } else {
            ObjectNode labels = root.putObject("labels");
            labels.put("classCode", "mask*6 + gender*3 + age");
            names(labels.putArray("mask"), MaskLabel.values());
            names(labels.putArray("gender"), GenderLabel.values());
            names(labels.putArray("age"), AgeLabel.values());
        }
        root.put("createdTime", m.createdTime().toString());
        ObjectNode summary = root.putObject("trainingSummary");
        m.trainingSummary().forEach(summary::put);
        root.put("weightsSha256", m.weightsSha256());
        if (m.backbone() != null) {
            ObjectNode backbone = root.putObject("backbone");
            backbone.put("name", m.backbone().name());
            backbone.put("sourceSha256", m.backbone().sourceSha256());
            backbone.put("sha256", m.backbone().sha256());
            backbone.put("features", m.backbone().features());
            backbone.put("entry", ModelBundle.BACKBONE_ENTRY + ": the fine-tuned TorchScript module (torch.jit.load reads it)");
        }
        try {
            return WRITER.writeValueAsString(root).concat("\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write bundle metadata", e);
        }
    }

    static BundleMetadata read(byte[] bytes) throws InvalidModelException {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw bad("metadata.json is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw bad("metadata.json cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw bad("metadata.json must hold a JSON object");
        }
        int format = integer(root, "formatVersion");
        if (format != BundleMetadata.FORMAT_VERSION) {
            throw bad("bundle format version " + format + " is not supported (this build reads version "
                    + BundleMetadata.FORMAT_VERSION + ")");
        }
        String version = text(root, "version");
        if (version.isBlank()) {
            throw bad("metadata field \"version\" is blank");
        }
        String architecture = text(root, "architecture");
        HeadLayout heads;
        String headsText = text(root, "heads");
        try {
            heads = HeadLayout.valueOf(headsText);
        } catch (IllegalArgumentException e) {
            throw bad("metadata field \"heads\" is \"" + headsText + "\", expected one of "
                    + Arrays.toString(HeadLayout.values()));
        }
        JsonNode inputNode = field(root, "input");
        int width = integer(inputNode, "width");
        int height = integer(inputNode, "height");
        float[] mean = triple(inputNode, "mean");
        float[] std = triple(inputNode, "std");
        InputSpec input;
        try {
            input = new InputSpec(width, height, mean, std);
        } catch (IllegalArgumentException e) {
            throw bad("metadata \"input\" is not usable: " + e.getMessage());
        }
        checkLabels(root.get("labels"));
        Instant created;
        String createdText = text(root, "createdTime");
        try {
            created = Instant.parse(createdText);
        } catch (DateTimeParseException e) {
            throw bad("metadata field \"createdTime\" is \"" + createdText + "\", not an ISO-8601 instant");
        }
        Map<String, String> summary = new LinkedHashMap<>();
        JsonNode summaryNode = root.get("trainingSummary");
        if (summaryNode != null && !summaryNode.isNull()) {
            if (!summaryNode.isObject()) {
                throw bad("metadata field \"trainingSummary\" must be an object of strings");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = summaryNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                summary.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString());
            }
        }
        String sha = text(root, "weightsSha256");
        if (!SHA256.matcher(sha).matches()) {
            throw bad("metadata field \"weightsSha256\" must be 64 lower-case hex digits, got \"" + sha + "\"");
        }
        return new BundleMetadata(format, version, architecture, heads, input, created, summary, sha,
                backbone(root.get("backbone")));
    }

    private static BundleMetadata.Backbone backbone(JsonNode node) throws InvalidModelException {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw bad("metadata field \"backbone\" must be an object, got " + node);
        }
        String name = text(node, "name");
        String source = text(node, "sourceSha256");
        String sha = text(node, "sha256");
        for (String[] digest : new String[][] {{"backbone.sourceSha256", source}, {"backbone.sha256", sha}}) {
            if (!SHA256.matcher(digest[1]).matches()) {
                throw bad("metadata field \"" + digest[0] + "\" must be 64 lower-case hex digits, got \"" + digest[1] + "\"");
            }
        }
        int features = integer(node, "features");
        if (features < 1 || features > MAX_BACKBONE_FEATURES) {
            throw bad("metadata field \"backbone.features\" must be 1.." + MAX_BACKBONE_FEATURES + ", got " + features);
        }
        return new BundleMetadata.Backbone(name, source, sha, features);
    }

    private static void checkLabels(JsonNode labels) throws InvalidModelException {
        if (labels == null || labels.isNull()) {
            return; // optional: the numbering is fixed by LabelCodec
        }
        if (!same(labels.get("mask"), MaskLabel.values()) || !same(labels.get("gender"), GenderLabel.values())
                || !same(labels.get("age"), AgeLabel.values())) {
            throw bad("metadata \"labels\" " + labels + " differ from this build's label numbering (mask "
                    + Arrays.toString(MaskLabel.values()) + ", gender " + Arrays.toString(GenderLabel.values())
                    + ", age " + Arrays.toString(AgeLabel.values()) + ")");
        }
    }

    private static boolean same(JsonNode names, Enum<?>[] values) {
        if (names == null || !names.isArray() || names.size() != values.length) {
            return false;
        }
        for (int i = 0; i < values.length; i++) {
            if (!values[i].name().equals(names.get(i).asText())) {
                return false;
            }
        }
        return true;
    }

    private static void names(ArrayNode array, Enum<?>[] values) {
        for (Enum<?> v : values) {
            array.add(v.name());
        }
    }

    private static JsonNode field(JsonNode node, String name) throws InvalidModelException {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            throw bad("metadata field \"" + name + "\" is missing");
        }
        return value;
    }

    private static String text(JsonNode node, String name) throws InvalidModelException {
        JsonNode value = field(node, name);
        if (!value.isTextual()) {
            throw bad("metadata field \"" + name + "\" must be a string, got " + value);
        }
        return value.asText();
    }

    private static int integer(JsonNode node, String name) throws InvalidModelException {
        JsonNode value = field(node, name);
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw bad("metadata field \"" + name + "\" must be a whole number, got " + value);
        }
        return value.intValue();
    }

    private static float[] triple(JsonNode node, String name) throws InvalidModelException {
        JsonNode value = field(node, name);
        if (!value.isArray() || value.size() != 3) {
            throw bad("metadata field \"input." + name + "\" must be an array of 3 numbers, got " + value);
        }
        float[] out = new float[3];
        for (int i = 0; i < 3; i++) {
            if (!value.get(i).isNumber()) {
                throw bad("metadata field \"input." + name + "\" must be an array of 3 numbers, got " + value);
            }
            out[i] = value.get(i).floatValue();
        }
        return out;
    }

    private static InvalidModelException bad(String message) {
        return new InvalidModelException(Reason.BAD_METADATA, message);
    }
}
