package io.maskstream.datasets;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.maskstream.events.FaceBox;
import io.maskstream.events.Gender;
import io.maskstream.events.MaskState;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A folder of scenes in COCO format, as CVAT and Label Studio export it: {@value #ANNOTATIONS} beside
 * {@value #IMAGES}{@code /}. Faces are the annotations of the category named {@value #FACE_CATEGORY}; each carries
 * its labels in {@code attributes}: {@code mask} ({@code worn}, {@code incorrect}, {@code none}), {@code gender}
 * ({@code male}, {@code female}), {@code age} (years) and optionally {@code person} (an id that recurs across a
 * sequence's frames). Other categories and crowd regions are ignored and counted.
 *
 * <p>Unlike the competition layout, where a bad photo is one skippable problem, an annotation file is one
 * artefact: anything corrupt or inconsistent in it stops the read with a {@link DatasetException} naming the file
 * and the entry ({@code annotations[12] (id 57)}), so a model is never trained or scored on half a label set.
 */
public final class CocoDataset {

    private static final Logger LOG = LoggerFactory.getLogger(CocoDataset.class);

    public static final String ANNOTATIONS = "annotations.json";
    public static final String IMAGES = "images";
    public static final String FACE_CATEGORY = "face";
    /** The image attribute naming the sequence ({@code images[i].attributes.sequence}); optional. */
    public static final String SEQUENCE_ATTRIBUTE = "sequence";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectWriter PRETTY = JSON.writer(new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));

    private CocoDataset() {
    }

    /** True when {@code dir} looks like a COCO folder: it holds {@value #ANNOTATIONS}. */
    public static boolean isCoco(Path dir) {
        return Files.isDirectory(dir) && Files.isRegularFile(dir.resolve(ANNOTATIONS));
    }

    /**
     * Reads and checks a COCO folder. Images come in {@code file_name} order. Each image's sequence is its
     * {@code attributes.sequence} when given, else the part of its file name before the last {@code _}
     * ({@code seq0003_0012.jpg} and CVAT's {@code frame_000012.jpg} give {@code seq0003} and {@code frame}), else
     * the whole name without extension (the image is a sequence of its own). Boxes reaching outside their
     * image are clipped to it and counted; boxes wholly outside are dropped and counted.
     *
     * @throws DatasetException naming the file and the entry at the first thing wrong: unparsable JSON (with
     *                          line and column), a missing, short, negative or non-numeric bbox, an unknown
     *                          image or category id, a duplicate image id or file name, a missing image file, an
     *                          image size that disagrees with the file's header, an unknown mask or gender value
     *                          or a missing age
     */
    public static CocoScenes read(Path dir) {
        Path root = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new DatasetException(new DatasetProblem(root.toString(), "is not a directory"));
        }
        if (!Files.isRegularFile(root.resolve(ANNOTATIONS))) {
            throw new DatasetException(new DatasetProblem(root.toString(), "is not a COCO folder: it has no " + ANNOTATIONS));
        }
        CocoScenes scenes = new Reader(root).run();
        LOG.info("COCO folder {}: {}", root, scenes.describe());
        return scenes;
    }

    /**
     * Reads one image as a labelled scene capture (source and source path {@code images/<file>}).
     *
     * @throws DatasetException naming the file when it cannot be read or is not a JPEG/PNG image
     */
    public static Capture capture(CocoScenes scenes, CocoImage image) {
        CompetitionDataset.Loaded l = CompetitionDataset.load(scenes.file(image), image.relativePath());
        return Capture.ofScene(l.bytes(), l.contentType(), l.width(), l.height(), Instant.now(), image.relativePath(),
                image.label());
    }

    /**
     * Writes {@value #ANNOTATIONS} for {@code images} into {@code dir} (their files must be, or will be, in
     * {@code dir/images/}). Annotation ids run from 1 in image then face order; the same images always give the
     * same bytes. Each image's sequence is written as its {@code attributes.sequence}.
     */
    public static void write(Path dir, List<CocoImage> images) throws IOException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode doc = f.objectNode();
        doc.putObject("info").put("description", "maskstream scenes: faces labelled with mask, gender and age");
        doc.putArray("licenses");
        ArrayNode imgs = doc.putArray("images");
        ArrayNode anns = doc.putArray("annotations");
        long annotationId = 1;
        for (CocoImage image : images) {
            ObjectNode i = imgs.addObject();
            i.put("id", image.id());
            i.put("file_name", image.fileName());
            i.put("width", image.width());
            i.put("height", image.height());
            i.putObject("attributes").put(SEQUENCE_ATTRIBUTE, image.sequenceId());
            for (SceneFace face : image.faces()) {
                FaceBox b = face.box();
                ObjectNode a = anns.addObject();
                a.put("id", annotationId++);
                a.put("image_id", image.id());
                a.put("category_id", 1);
                a.putArray("bbox").add(b.getX()).add(b.getY()).add(b.getWidth()).add(b.getHeight());
                a.put("area", b.getWidth() * b.getHeight());
                a.put("iscrowd", 0);
                ObjectNode attr = a.putObject("attributes");
                attr.put("mask", maskName(face.maskState()));
                attr.put("gender", genderName(face.gender()));
                attr.put("age", face.age());
                if (face.personId() != null) {
                    attr.put("person", face.personId());
                }
            }
        }
        ObjectNode cat = doc.putArray("categories").addObject();
        cat.put("id", 1);
        cat.put("name", FACE_CATEGORY);
        cat.put("supercategory", "");
        Files.createDirectories(dir);
        try (OutputStream out = Files.newOutputStream(dir.resolve(ANNOTATIONS))) {
            PRETTY.writeValue(out, doc);
        }
    }

    /** The attribute value of a mask state: {@code worn}, {@code incorrect} or {@code none}. */
    public static String maskName(MaskState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    /** The attribute value of a gender: {@code male} or {@code female}. */
    public static String genderName(Gender gender) {
        return gender.name().toLowerCase(Locale.ROOT);
    }

    static ObjectWriter prettyWriter() {
        return PRETTY;
    }

    /** One read's state: the entries seen so far, for the consistency checks. */
    private static final class Reader {
        private final Path root;
        private int clipped;
        private int outside;
        private int other;
        private int faces;

        Reader(Path root) {
            this.root = root;
        }

        CocoScenes run() {
            JsonNode doc = parse();
            if (!doc.isObject()) {
                throw fail("the top level must be an object with images, annotations and categories");
            }
            ArrayNode categories = array(doc, "categories");
            ArrayNode images = array(doc, "images");
            ArrayNode annotations = doc.has("annotations") ? array(doc, "annotations") : JsonNodeFactory.instance.arrayNode();

            Set<Long> categoryIds = new HashSet<>();
            Long face = null;
            for (int i = 0; i < categories.size(); i++) {
                JsonNode c = categories.get(i);
                String entry = "categories[" + i + "]";
                long id = integer(c, "id", entry);
                if (!categoryIds.add(id)) {
                    throw fail(entry + ": a second category with id " + id);
                }
                JsonNode name = c.get("name");
                if (name != null && name.isTextual() && name.asText().trim().equalsIgnoreCase(FACE_CATEGORY)) {
                    face = id;
                }
            }
            if (face == null && !annotations.isEmpty()) {
                throw fail("categories: none is named '" + FACE_CATEGORY + "', so no annotation is a face");
            }

            Map<Long, Entry> byId = new LinkedHashMap<>();
            Set<String> names = new HashSet<>();
            for (int i = 0; i < images.size(); i++) {
                Entry e = image(images.get(i), i);
                if (byId.putIfAbsent(e.id, e) != null) {
                    throw fail(e.name + ": a second image with id " + e.id);
                }
                if (!names.add(e.fileName)) {
                    throw fail(e.name + ": a second image with file_name " + e.fileName);
                }
            }
            Set<Long> annotationIds = new HashSet<>();
            for (int i = 0; i < annotations.size(); i++) {
                annotation(annotations.get(i), i, face, categoryIds, annotationIds, byId);
            }
            List<CocoImage> out = new ArrayList<>(byId.size());
            for (Entry e : byId.values()) {
                checkFile(e);
                out.add(new CocoImage(e.id, e.fileName, e.width, e.height, e.sequence, e.faces));
            }
            out.sort(Comparator.comparing(CocoImage::fileName));
            return new CocoScenes(root, out, faces, clipped, outside, other);
        }

        private JsonNode parse() {
            try {
                JsonNode doc = JSON.readTree(root.resolve(ANNOTATIONS).toFile());
                if (doc == null || doc.isMissingNode()) {
                    throw fail("is empty");
                }
                return doc;
            } catch (JsonProcessingException e) {
                JsonLocation at = e.getLocation();
                String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
                throw fail("is not valid JSON" + where + ": " + e.getOriginalMessage());
            } catch (IOException e) {
                throw fail("cannot read: " + e);
            }
        }

        private Entry image(JsonNode node, int index) {
            String entry = "images[" + index + "]";
            if (!node.isObject()) {
                throw fail(entry + ": must be an object");
            }
            long id = integer(node, "id", entry);
            String name = entry + " (id " + id + ")";
            JsonNode file = node.get("file_name");
            if (file == null || !file.isTextual() || file.asText().isBlank()) {
                throw fail(name + ": file_name is missing or not a string");
            }
            String fileName = file.asText();
            if (fileName.startsWith("/") || fileName.contains("\\") || Path.of(fileName).normalize().startsWith("..")) {
                throw fail(name + ": file_name " + fileName + " must be a path inside " + IMAGES + "/");
            }
            long width = integer(node, "width", name);
            long height = integer(node, "height", name);
            if (width < 1 || height < 1 || width > 65535 || height > 65535) {
                throw fail(name + ": width and height must be 1..65535, were " + width + "x" + height);
            }
            return new Entry(id, name + " " + fileName, fileName, (int) width, (int) height, sequence(node, fileName));
        }

        private static String sequence(JsonNode image, String fileName) {
            JsonNode attrs = image.get("attributes");
            if (attrs != null && attrs.isObject()) {
                JsonNode s = attrs.get(SEQUENCE_ATTRIBUTE);
                if (s != null && (s.isTextual() || s.isIntegralNumber()) && !s.asText().isBlank()) {
                    return s.asText().trim();
                }
            }
            String base = fileName.substring(fileName.lastIndexOf('/') + 1);
            int dot = base.lastIndexOf('.');
            String stem = dot > 0 ? base.substring(0, dot) : base;
            int cut = stem.lastIndexOf('_');
            return cut > 0 ? stem.substring(0, cut) : stem;
        }

        private void annotation(JsonNode node, int index, Long face, Set<Long> categoryIds, Set<Long> annotationIds,
                                Map<Long, Entry> images) {
            String entry = "annotations[" + index + "]";
            if (!node.isObject()) {
                throw fail(entry + ": must be an object");
            }
            long id = integer(node, "id", entry);
            String name = entry + " (id " + id + ")";
            if (!annotationIds.add(id)) {
                throw fail(name + ": a second annotation with id " + id);
            }
            long imageId = integer(node, "image_id", name);
            Entry image = images.get(imageId);
            if (image == null) {
                throw fail(name + ": image_id " + imageId + " is not the id of any image");
            }
            long category = integer(node, "category_id", name);
            if (!categoryIds.contains(category)) {
                throw fail(name + ": category_id " + category + " is not the id of any category");
            }
            JsonNode crowd = node.get("iscrowd");
            if (category != face || (crowd != null && crowd.asInt(0) != 0)) {
                other++;
                return;
            }
            JsonNode bbox = node.get("bbox");
            if (bbox == null || !bbox.isArray() || bbox.size() != 4) {
                throw fail(name + ": bbox must be [x, y, width, height], was " + (bbox == null ? "missing" : bbox.toString()));
            }
            double[] b = new double[4];
            for (int k = 0; k < 4; k++) {
                JsonNode v = bbox.get(k);
                if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
                    throw fail(name + ": bbox must hold four numbers [x, y, width, height], was " + bbox);
                }
                b[k] = v.asDouble();
            }
            if (b[2] <= 0 || b[3] <= 0) {
                throw fail(name + ": bbox width and height must be > 0, were " + b[2] + " and " + b[3]);
            }
            JsonNode attrs = node.get("attributes");
            if (attrs == null || !attrs.isObject()) {
                throw fail(name + ": attributes (mask, gender, age) are missing");
            }
            MaskState mask = parseMask(text(attrs, "mask")).orElseThrow(() -> fail(name + ": attributes.mask is "
                    + describe(attrs.get("mask")) + ", expected worn, incorrect or none"));
            Gender gender = parseGender(text(attrs, "gender")).orElseThrow(() -> fail(name + ": attributes.gender is "
                    + describe(attrs.get("gender")) + ", expected male or female"));
            int age = age(attrs.get("age"), name);
            JsonNode person = attrs.get("person");
            String personId = person != null && (person.isTextual() || person.isIntegralNumber()) && !person.asText().isBlank()
                    ? person.asText().trim() : null;

            double x0 = Math.max(0, b[0]);
            double y0 = Math.max(0, b[1]);
            double x1 = Math.min(image.width, b[0] + b[2]);
            double y1 = Math.min(image.height, b[1] + b[3]);
            if (x1 <= x0 || y1 <= y0) {
                outside++;
                LOG.debug("{}: {} lies outside its image ({}x{}); dropped", ANNOTATIONS, name, image.width, image.height);
                return;
            }
            FaceBox box;
            if (x0 != b[0] || y0 != b[1] || x1 != b[0] + b[2] || y1 != b[1] + b[3]) {
                clipped++;
                box = new FaceBox((float) x0, (float) y0, (float) (x1 - x0), (float) (y1 - y0));
            } else {
                box = new FaceBox((float) b[0], (float) b[1], (float) b[2], (float) b[3]);
            }
            image.faces.add(new SceneFace(box, mask, gender, age, personId));
            faces++;
        }

        private int age(JsonNode v, String name) {
            long age;
            if (v != null && v.isIntegralNumber()) {
                age = v.asLong();
            } else if (v != null && v.isTextual() && v.asText().trim().matches("\\d{1,3}")) {
                age = Long.parseLong(v.asText().trim());
            } else {
                throw fail(name + ": attributes.age is " + describe(v) + ", expected the age in whole years");
            }
            if (age > 150) {
                throw fail(name + ": attributes.age is " + age + ", not an age in years");
            }
            return (int) age;
        }

        private void checkFile(Entry e) {
            String rel = e.fileName.startsWith(IMAGES + "/") ? e.fileName : IMAGES + "/" + e.fileName;
            Path file = root.resolve(rel);
            if (!Files.isRegularFile(file)) {
                throw new DatasetException(new DatasetProblem(rel, "listed in " + ANNOTATIONS + " " + e.name
                        + " but the file does not exist"));
            }
            int[] size;
            try {
                size = ImageCodec.dimensions(file);
            } catch (IOException | RuntimeException ex) {
                throw new DatasetException(new DatasetProblem(rel, "unreadable image header: " + ex.getMessage()));
            }
            if (size[0] != e.width || size[1] != e.height) {
                throw new DatasetException(new DatasetProblem(rel, "is " + size[0] + "x" + size[1] + " but " + ANNOTATIONS
                        + " " + e.name + " says " + e.width + "x" + e.height));
            }
        }

        private ArrayNode array(JsonNode doc, String field) {
            JsonNode v = doc.get(field);
            if (!(v instanceof ArrayNode a)) {
                throw fail(field + " is " + (v == null ? "missing" : "not a list"));
            }
            return a;
        }

        private long integer(JsonNode node, String field, String entry) {
            JsonNode v = node.get(field);
            if (v == null || !(v.isIntegralNumber() || (v.isNumber() && v.asDouble() == Math.rint(v.asDouble())))) {
                throw fail(entry + ": " + field + " is " + describe(v) + ", expected a whole number");
            }
            return v.asLong();
        }

        private static String text(JsonNode attrs, String field) {
            JsonNode v = attrs.get(field);
            return v != null && v.isTextual() ? v.asText() : null;
        }

        private static String describe(JsonNode v) {
            return v == null || v.isNull() ? "missing" : v.toString();
        }

        private DatasetException fail(String message) {
            return new DatasetException(new DatasetProblem(ANNOTATIONS, message));
        }
    }

    /** {@code worn}, {@code incorrect}, {@code none}, any case. */
    static Optional<MaskState> parseMask(String value) {
        if (value == null) {
            return Optional.empty();
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "worn" -> Optional.of(MaskState.WORN);
            case "incorrect" -> Optional.of(MaskState.INCORRECT);
            case "none" -> Optional.of(MaskState.NONE);
            default -> Optional.empty();
        };
    }

    static Optional<Gender> parseGender(String value) {
        return value == null ? Optional.empty() : DatasetLayout.parseGender(value.trim());
    }

    /** One image entry while reading; its faces fill in as annotations refer to it. */
    private static final class Entry {
        final long id;
        final String name;
        final String fileName;
        final int width;
        final int height;
        final String sequence;
        final List<SceneFace> faces = new ArrayList<>();

        Entry(long id, String name, String fileName, int width, int height, String sequence) {
            this.id = id;
            this.name = name;
            this.fileName = fileName;
            this.width = width;
            this.height = height;
            this.sequence = sequence;
        }
    }
}
