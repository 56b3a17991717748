package io.maskstream.datasets;

import io.maskstream.events.MaskState;
import io.maskstream.datasets.Capture;
import io.maskstream.datasets.FrameLabel;
import io.maskstream.datasets.ImageCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a copy of the competition data exactly as laid out by {@link DatasetLayout}. Junk that real copies carry
 * ({@code ._*} files, {@code .DS_Store}, hidden folders, files with unknown names) is skipped and counted, never an
 * error. Everything else that is wrong (a folder name that does not parse, a person lacking one of the seven
 * photos, a CSV row pointing nowhere, an unreadable file) is a {@link DatasetProblem} naming the file; the scan
 * goes on and reports them all, unless {@code failFast} is set, in which case the first one throws.
 */
public final class CompetitionDataset {

    private static final Logger LOG = LoggerFactory.getLogger(CompetitionDataset.class);

    private CompetitionDataset() {
    }

    /**
     * Scans {@code root}.
     *
     * @throws DatasetException when the root is not a directory or holds neither {@code train/} nor {@code eval/}
     *                          (always), or at the first problem when {@code failFast}
     */
    public static DatasetScan scan(Path root, boolean failFast) {
        Scanner s = new Scanner(root.toAbsolutePath().normalize(), failFast);
        DatasetScan scan = s.run();
        ScanSummary sum = scan.summary();
        if (sum.ok()) {
            LOG.info("Dataset {}: {}", root, sum.describe());
        } else {
            LOG.warn("Dataset {}: {}", root, sum.describe());
        }
        return scan;
    }

    /**
     * Reads one training image as a labelled capture.
     *
     * @throws DatasetException naming the file when it cannot be read or is not a JPEG/PNG image
     */
    public static Capture read(TrainImage image) {
        Loaded l = load(image.file(), image.relativePath());
        DatasetLayout.PersonFolder p = image.person();
        FrameLabel label = new FrameLabel(p.id(), p.gender(), p.age(), p.race(), image.maskState(), image.relativePath());
        return new Capture(l.bytes, l.contentType, l.width, l.height, Instant.now(), image.relativePath(), label);
    }

    /**
     * Reads one evaluation image as an unlabelled capture whose source is its ImageID.
     *
     * @throws DatasetException naming the file when it cannot be read or is not a JPEG/PNG image
     */
    public static Capture read(EvalImage image) {
        Loaded l = load(image.file(), DatasetLayout.EVAL_IMAGES + "/" + image.imageId());
        return Capture.of(l.bytes, l.contentType, l.width, l.height, Instant.now(), image.imageId());
    }

    /** An image file's bytes, their real content type and the size its header says. */
    record Loaded(byte[] bytes, String contentType, int width, int height) {
    }

    /** Reads one image file; every failure is a {@link DatasetException} naming {@code relative}. */
    static Loaded load(Path file, String relative) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DatasetException(new DatasetProblem(relative, "file has disappeared since the scan"));
        } catch (IOException e) {
            throw new DatasetException(new DatasetProblem(relative, "cannot read: " + e));
        }
        if (bytes.length == 0) {
            throw new DatasetException(new DatasetProblem(relative, "file is empty"));
        }
        Optional<String> type = ImageCodec.contentType(bytes);
        if (type.isEmpty()) {
            throw new DatasetException(new DatasetProblem(relative, "not a JPEG or PNG image (unrecognised signature)"));
        }
        Optional<String> promised = ImageCodec.contentTypeOfName(relative);
        if (promised.isPresent() && !promised.get().equals(type.get())) {
            LOG.warn("{}: the extension says {} but the bytes are {}; publishing as {}", relative, promised.get(),
                    type.get(), type.get());
        }
        int[] size;
        try {
            size = ImageCodec.dimensions(bytes);
        } catch (IOException | RuntimeException e) {
            throw new DatasetException(new DatasetProblem(relative, "unreadable image header: " + e.getMessage()));
        }
        return new Loaded(bytes, type.get(), size[0], size[1]);
    }

    /** One scan's state. */
    private static final class Scanner {
        private final Path root;
        private final boolean failFast;
        private final List<DatasetProblem> problems = new ArrayList<>();
        private final List<String> junkExamples = new ArrayList<>();
        private int junk;
        private int unlisted;

        Scanner(Path root, boolean failFast) {
            this.root = root;
            this.failFast = failFast;
        }

        DatasetScan run() {
            if (!Files.isDirectory(root)) {
                throw new DatasetException(new DatasetProblem(root.toString(), "is not a directory"));
            }
            boolean hasTrain = Files.isDirectory(root.resolve("train"));
            boolean hasEval = Files.isDirectory(root.resolve("eval"));
            if (!hasTrain && !hasEval) {
                throw new DatasetException(new DatasetProblem(root.toString(),
                        "is not a competition dataset: it holds neither train/ nor eval/"));
            }
            List<TrainImage> train = new ArrayList<>();
            int persons = 0;
            if (hasTrain) {
                persons = scanTrain(train);
            }
            List<EvalImage> eval = new ArrayList<>();
            if (hasEval) {
                scanEval(eval);
            }
            return new DatasetScan(root, train, eval,
                    new ScanSummary(persons, train.size(), eval.size(), junk, junkExamples, unlisted, problems));
        }

        private int scanTrain(List<TrainImage> train) {
            Path images = root.resolve(DatasetLayout.TRAIN_IMAGES);
            Map<String, DatasetLayout.PersonFolder> folders = new LinkedHashMap<>();
            if (!Files.isDirectory(images)) {
                problem(DatasetLayout.TRAIN_IMAGES, "missing: the train part has no images folder");
            } else {
                for (Path entry : list(images, DatasetLayout.TRAIN_IMAGES)) {
                    String name = entry.getFileName().toString();
                    String rel = DatasetLayout.TRAIN_IMAGES + "/" + name;
                    if (DatasetLayout.isJunkName(name) || !Files.isDirectory(entry)) {
                        junk(rel);
                        continue;
                    }
                    Optional<DatasetLayout.PersonFolder> person = DatasetLayout.parseFolderName(name);
                    if (person.isEmpty()) {
                        problem(rel, "bad person folder name: expected <id>_<gender>_<race>_<age> with gender male or "
                                + "female, e.g. 000001_female_Asian_45");
                        continue;
                    }
                    folders.put(name, person.get());
                    scanPerson(entry, rel, person.get(), train);
                }
            }
            checkTrainCsv(folders);
            return folders.size();
        }

        private void scanPerson(Path folder, String rel, DatasetLayout.PersonFolder person, List<TrainImage> train) {
            Map<String, Path> byStem = new TreeMap<>();
            Set<String> unreadable = new HashSet<>();
            for (Path f : list(folder, rel)) {
                String name = f.getFileName().toString();
                String frel = rel + "/" + name;
                if (DatasetLayout.isJunkName(name) || Files.isDirectory(f)) {
                    junk(frel);
                    continue;
                }
                String[] parts = DatasetLayout.split(name);
                if (DatasetLayout.maskState(parts[0]).isEmpty() || !DatasetLayout.EXTENSIONS.contains(parts[1])) {
                    junk(frel);
                    continue;
                }
                Path previous = byStem.putIfAbsent(parts[0], f);
                if (previous != null) {
                    problem(frel, "a second image for " + parts[0] + " (already have " + previous.getFileName()
                            + "); keeping the first");
                    continue;
                }
                if (!Files.isReadable(f)) {
                    problem(frel, "not readable");
                    unreadable.add(parts[0]);
                }
            }
            for (String stem : DatasetLayout.STEMS) {
                Path f = byStem.get(stem);
                if (unreadable.contains(stem)) {
                    continue;
                }
                if (f == null) {
                    problem(rel + "/" + stem + ".jpg", "missing: person " + person.id() + " has no " + stem
                            + " image (.jpg, .jpeg or .png)");
                    continue;
                }
                MaskState state = DatasetLayout.maskState(stem).orElseThrow();
                train.add(new TrainImage(f, rel + "/" + f.getFileName(), person, state));
            }
        }

        private void checkTrainCsv(Map<String, DatasetLayout.PersonFolder> folders) {
            Path csv = root.resolve(DatasetLayout.TRAIN_CSV);
            if (!Files.isRegularFile(csv)) {
                problem(DatasetLayout.TRAIN_CSV, "missing: person folders are used without it");
                return;
            }
            List<String[]> rows = readCsv(csv, DatasetLayout.TRAIN_CSV, DatasetLayout.TRAIN_CSV_HEADER);
            Set<String> listed = new HashSet<>();
            int line = 1;
            for (String[] row : rows) {
                line++;
                String where = DatasetLayout.TRAIN_CSV + " line " + line;
                if (row == null) {
                    continue;
                }
                if (row.length != 5) {
                    problem(DatasetLayout.TRAIN_CSV, "line " + line + " has " + row.length + " fields, expected 5 ("
                            + DatasetLayout.TRAIN_CSV_HEADER + ")");
                    continue;
                }
                String path = row[4];
                listed.add(path);
                DatasetLayout.PersonFolder folder = folders.get(path);
                if (folder == null) {
                    if (!Files.isDirectory(root.resolve(DatasetLayout.TRAIN_IMAGES).resolve(path))) {
                        problem(DatasetLayout.TRAIN_IMAGES + "/" + path, "listed in " + where + " but the folder does not exist");
                    }
                    continue;
                }
                String age = row[3];
                boolean agrees = row[0].equals(folder.id()) && DatasetLayout.parseGender(row[1]).map(folder.gender()::equals)
                        .orElse(false) && row[2].equals(folder.race()) && age.equals(String.valueOf(folder.age()));
                if (!agrees) {
                    problem(DatasetLayout.TRAIN_CSV, "line " + line + " (" + String.join(",", row)
                            + ") disagrees with its folder name " + path + "; the folder name is used");
                }
            }
            for (String name : folders.keySet()) {
                if (!listed.contains(name)) {
                    unlisted++;
                    LOG.warn("{}/{} is not listed in {}; using it anyway", DatasetLayout.TRAIN_IMAGES, name, DatasetLayout.TRAIN_CSV);
                }
            }
        }

        private void scanEval(List<EvalImage> eval) {
            Path images = root.resolve(DatasetLayout.EVAL_IMAGES);
            Map<String, Path> files = new HashMap<>();
            if (!Files.isDirectory(images)) {
                problem(DatasetLayout.EVAL_IMAGES, "missing: the eval part has no images folder");
            } else {
                for (Path f : list(images, DatasetLayout.EVAL_IMAGES)) {
                    String name = f.getFileName().toString();
                    String rel = DatasetLayout.EVAL_IMAGES + "/" + name;
                    String ext = DatasetLayout.split(name)[1];
                    if (DatasetLayout.isJunkName(name) || Files.isDirectory(f) || !DatasetLayout.EXTENSIONS.contains(ext)) {
                        junk(rel);
                        continue;
                    }
                    files.put(name, f);
                }
            }
            Path info = root.resolve(DatasetLayout.EVAL_INFO);
            if (!Files.isRegularFile(info)) {
                problem(DatasetLayout.EVAL_INFO, "missing: eval images cannot be named without it");
                return;
            }
            List<String[]> rows = readCsv(info, DatasetLayout.EVAL_INFO, DatasetLayout.EVAL_INFO_HEADER);
            Set<String> listed = new HashSet<>();
            int line = 1;
            for (String[] row : rows) {
                line++;
                if (row == null) {
                    continue;
                }
                if (row.length != 2) {
                    problem(DatasetLayout.EVAL_INFO, "line " + line + " has " + row.length + " fields, expected 2 ("
                            + DatasetLayout.EVAL_INFO_HEADER + ")");
                    continue;
                }
                String id = row[0];
                if (!listed.add(id)) {
                    problem(DatasetLayout.EVAL_INFO, "line " + line + " lists " + id + " a second time");
                    continue;
                }
                Path f = files.get(id);
                if (f == null) {
                    problem(DatasetLayout.EVAL_IMAGES + "/" + id, "listed in " + DatasetLayout.EVAL_INFO + " line " + line
                            + " but the file does not exist");
                    continue;
                }
                if (!Files.isReadable(f)) {
                    problem(DatasetLayout.EVAL_IMAGES + "/" + id, "not readable");
                    continue;
                }
                eval.add(new EvalImage(f, id));
            }
            for (String name : files.keySet()) {
                if (!listed.contains(name)) {
                    unlisted++;
                    LOG.warn("{}/{} is not listed in {}; skipped", DatasetLayout.EVAL_IMAGES, name, DatasetLayout.EVAL_INFO);
                }
            }
        }

        /** Rows after the header (null for blank lines, to keep line numbers); the header must match. */
        private List<String[]> readCsv(Path csv, String rel, String header) {
            CsvTable table;
            try {
                table = CsvTable.parse(Files.readString(csv, StandardCharsets.UTF_8));
            } catch (IOException e) {
                problem(rel, "cannot read: " + e);
                return List.of();
            } catch (RuntimeException e) {
                problem(rel, "is not readable as CSV: " + e.getMessage());
                return List.of();
            }
            if (table.header().length == 0 && table.rows().isEmpty()) {
                problem(rel, "is empty; expected the header " + header);
                return List.of();
            }
            if (!table.hasHeader(header)) {
                problem(rel, "line 1 is '" + String.join(",", table.header()) + "', expected the header " + header);
                return List.of();
            }
            return table.rows();
        }

        private List<Path> list(Path dir, String rel) {
            try (Stream<Path> s = Files.list(dir)) {
                return s.sorted().toList();
            } catch (IOException e) {
                problem(rel, "cannot list: " + e);
                return List.of();
            }
        }

        private void junk(String rel) {
            junk++;
            if (junkExamples.size() < ScanSummary.EXAMPLES) {
                junkExamples.add(rel);
            }
            LOG.debug("Skipping junk {}", rel);
        }

        private void problem(String rel, String message) {
            DatasetProblem p = new DatasetProblem(rel, message);
            if (failFast) {
                throw new DatasetException(p);
            }
            LOG.error("Dataset problem: {}", p);
            problems.add(p);
        }
    }

    /** How many images of each mask state a list holds, e.g. for a summary. */
    public static Map<MaskState, Integer> countByMaskState(List<TrainImage> images) {
        Map<MaskState, Integer> counts = new EnumMap<>(MaskState.class);
        images.forEach(i -> counts.merge(i.maskState(), 1, Integer::sum));
        return counts;
    }
}
