package io.maskstream.synthetic;

import io.maskstream.events.AgeBand;
import io.maskstream.events.Gender;
import io.maskstream.events.MaskState;
import io.maskstream.datasets.DatasetLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a synthetic dataset in the competition layout: {@code train/images/<id>_<gender>_Asian_<age>/} with the
 * seven photos of each person and {@code train/train.csv}; {@code eval/images/} with hashed file names,
 * {@code eval/info.csv} ({@code ans} = -1, as distributed) and, for tests, the truth in {@code eval/labels.csv}.
 * Train persons are the generator's persons {@code 0..persons-1}, eval persons the next {@code evalPersons}, so the
 * two parts never share a person. The output depends only on the generator options and the two counts, not on
 * the number of threads.
 */
public final class SyntheticDataset {

    private static final Logger LOG = LoggerFactory.getLogger(SyntheticDataset.class);

    /** Name of the file holding the eval truth (not part of the competition layout). */
    public static final String EVAL_LABELS = "eval/labels.csv";
    public static final String EVAL_LABELS_HEADER = "ImageID,ans,mask,gender,age,person";

    private SyntheticDataset() {
    }

    /**
     * What was written.
     *
     * @param persons     train persons
     * @param evalPersons eval persons
     * @param trainImages train images (persons × 7)
     * @param evalImages  eval images (evalPersons × 7)
     * @param byMask      train images per mask state
     * @param byGender    train persons per gender
     * @param byAgeBand   train persons per age band
     * @param byExtension all images per file extension
     * @param bytes       total bytes of image files
     * @param took        wall-clock time
     */
    public record Summary(Path root, int persons, int evalPersons, int trainImages, int evalImages,
                          Map<MaskState, Integer> byMask, Map<Gender, Integer> byGender, Map<AgeBand, Integer> byAgeBand,
                          Map<String, Integer> byExtension, long bytes, Duration took) {

        public String describe() {
            return persons + " train persons (" + trainImages + " images, " + byGender + ", " + byAgeBand + "), "
                    + evalPersons + " eval persons (" + evalImages + " images), extensions " + byExtension + ", "
                    + bytes / 1024 + " KiB, in " + took.toMillis() + " ms";
        }
    }

    /**
     * Writes the dataset under {@code root}, which must not already hold a {@code train/} or {@code eval/} folder.
     *
     * @param threads rendering threads (1 or more); the output does not depend on it
     */
    public static Summary write(Path root, SyntheticFaces faces, int persons, int evalPersons, int threads)
            throws IOException, InterruptedException {
        if (persons < 0 || evalPersons < 0) {
            throw new IllegalArgumentException("person counts must be >= 0");
        }
        if (Files.exists(root.resolve("train")) || Files.exists(root.resolve("eval"))) {
            throw new IOException(root + " already holds a dataset (train/ or eval/); choose an empty directory");
        }
        long start = System.nanoTime();
        Files.createDirectories(root.resolve(DatasetLayout.TRAIN_IMAGES));
        Files.createDirectories(root.resolve(DatasetLayout.EVAL_IMAGES));
        int total = persons + evalPersons;
        AtomicInteger done = new AtomicInteger();
        int step = Math.max(1, total / 10);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "synthetic-dataset");
            t.setDaemon(true);
            return t;
        });
        List<Future<PersonResult>> futures = new ArrayList<>(total);
        try {
            for (int i = 0; i < total; i++) {
                final int index = i;
                final boolean eval = i >= persons;
                futures.add(pool.submit(() -> {
                    PersonResult r = writePerson(root, faces, index, eval);
                    int n = done.incrementAndGet();
                    if (total >= 50 && (n % step == 0 || n == total)) {
                        LOG.info("Synthetic dataset: {} of {} persons written", n, total);
                    }
                    return r;
                }));
            }
            List<PersonResult> results = new ArrayList<>(total);
            for (Future<PersonResult> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof UncheckedIOException u) {
                        throw u.getCause();
                    }
                    throw new IOException("Writing the synthetic dataset failed: " + cause, cause);
                }
            }
            return finish(root, persons, evalPersons, results, System.nanoTime() - start);
        } finally {
            pool.shutdownNow();
        }
    }

    private record EvalRow(String imageId, MaskState mask, SyntheticPerson person) {
    }

    private record PersonResult(SyntheticPerson person, boolean eval, List<EvalRow> evalRows, Map<String, Integer> extensions,
                                long bytes) {
    }

    private static PersonResult writePerson(Path root, SyntheticFaces faces, int index, boolean eval) {
        SyntheticPerson p = faces.person(index);
        SyntheticOptions o = faces.options();
        Map<String, Integer> ext = new TreeMap<>();
        List<EvalRow> rows = new ArrayList<>();
        long bytes = 0;
        try {
            Path folder = root.resolve(DatasetLayout.TRAIN_IMAGES).resolve(SyntheticFaces.folderName(p));
            if (!eval) {
                Files.createDirectories(folder);
            }
            for (int slot = 0; slot < DatasetLayout.STEMS.size(); slot++) {
                MaskState state = DatasetLayout.maskStateOfSlot(slot);
                Rng r = new Rng(Rng.mix(o.seed(), 5, index, slot));
                String extension = switch (r.weighted(o.jpgShare(), o.pngShare(), o.jpegShare())) {
                    case 0 -> "jpg";
                    case 1 -> "png";
                    default -> "jpeg";
                };
                byte[] image = extension.equals("png") ? faces.png(p, state, slot) : faces.jpeg(p, state, slot);
                Path file;
                if (eval) {
                    String id = String.format("%016x%016x%08x", Rng.mix(o.seed(), 4, index, slot), Rng.mix(o.seed(), 6, index, slot),
                            (int) Rng.mix(o.seed(), 7, index, slot)) + "." + extension;
                    file = root.resolve(DatasetLayout.EVAL_IMAGES).resolve(id);
                    rows.add(new EvalRow(id, state, p));
                } else {
                    file = folder.resolve(DatasetLayout.STEMS.get(slot) + "." + extension);
                }
                Files.write(file, image);
                bytes += image.length;
                ext.merge(extension, 1, Integer::sum);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new PersonResult(p, eval, rows, ext, bytes);
    }

    private static Summary finish(Path root, int persons, int evalPersons, List<PersonResult> results, long nanos)
            throws IOException {
        StringBuilder train = new StringBuilder(DatasetLayout.TRAIN_CSV_HEADER).append('\n');
        List<EvalRow> evalRows = new ArrayList<>();
        Map<MaskState, Integer> byMask = new EnumMap<>(MaskState.class);
        Map<Gender, Integer> byGender = new EnumMap<>(Gender.class);
        Map<AgeBand, Integer> byAge = new EnumMap<>(AgeBand.class);
        Map<String, Integer> byExt = new TreeMap<>();
        long bytes = 0;
        for (PersonResult r : results) {
            r.extensions.forEach((k, v) -> byExt.merge(k, v, Integer::sum));
            bytes += r.bytes;
            if (r.eval) {
                evalRows.addAll(r.evalRows);
                continue;
            }
            SyntheticPerson p = r.person;
            train.append(p.id()).append(',').append(p.gender().name().toLowerCase(java.util.Locale.ROOT)).append(',')
                    .append(SyntheticPerson.RACE).append(',').append(p.age()).append(',').append(SyntheticFaces.folderName(p))
                    .append('\n');
            for (String stem : DatasetLayout.STEMS) {
                byMask.merge(DatasetLayout.maskState(stem).orElseThrow(), 1, Integer::sum);
            }
            byGender.merge(p.gender(), 1, Integer::sum);
            byAge.merge(p.ageBand(), 1, Integer::sum);
        }
        // info.csv in ImageID order: hashed names make it a shuffle, as in the competition's file
        evalRows.sort(java.util.Comparator.comparing(EvalRow::imageId));
        StringBuilder info = new StringBuilder(DatasetLayout.EVAL_INFO_HEADER).append('\n');
        StringBuilder labels = new StringBuilder(EVAL_LABELS_HEADER).append('\n');
        for (EvalRow e : evalRows) {
            info.append(e.imageId).append(",-1\n");
            SyntheticPerson p = e.person;
            labels.append(e.imageId).append(',').append(classCode(e.mask, p)).append(',').append(e.mask).append(',')
                    .append(p.gender()).append(',').append(p.age()).append(',').append(p.id()).append('\n');
        }
        Files.writeString(root.resolve(DatasetLayout.TRAIN_CSV), train, StandardCharsets.UTF_8);
        Files.writeString(root.resolve(DatasetLayout.EVAL_INFO), info, StandardCharsets.UTF_8);
        Files.writeString(root.resolve(EVAL_LABELS), labels, StandardCharsets.UTF_8);
        Summary s = new Summary(root, persons, evalPersons, persons * DatasetLayout.STEMS.size(),
                evalPersons * DatasetLayout.STEMS.size(), byMask, byGender, byAge, byExt, bytes, Duration.ofNanos(nanos));
        LOG.info("Synthetic dataset written to {}: {}", root, s.describe());
        return s;
    }

    /** The competition's 18-class code: mask·6 + gender·3 + age band (enum ordinals follow the competition). */
    static int classCode(MaskState mask, SyntheticPerson p) {
        return mask.ordinal() * 6 + p.gender().ordinal() * 3 + p.ageBand().ordinal();
    }
}
