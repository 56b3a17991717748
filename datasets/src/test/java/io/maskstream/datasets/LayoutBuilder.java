package io.maskstream.datasets;

import io.maskstream.datasets.ImageCodec;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes small competition-layout datasets for tests, with tiny real images. */
public final class LayoutBuilder {

    final Path root;
    private final List<String> csvRows = new ArrayList<>();
    private final List<String> infoRows = new ArrayList<>();

    public LayoutBuilder(Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root.resolve(DatasetLayout.TRAIN_IMAGES));
        Files.createDirectories(root.resolve(DatasetLayout.EVAL_IMAGES));
    }

    public static byte[] jpeg(int seed) {
        return ImageCodec.jpeg(image(seed), 80);
    }

    public static byte[] png(int seed) {
        return ImageCodec.png(image(seed));
    }

    private static BufferedImage image(int seed) {
        BufferedImage img = new BufferedImage(24, 32, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(seed * 37 & 0xff, seed * 91 & 0xff, seed * 13 & 0xff));
        g.fillRect(0, 0, 24, 32);
        g.dispose();
        return img;
    }

    /** A person folder with the given file names (e.g. mask1.jpg, normal.PNG), listed in train.csv. */
    public LayoutBuilder person(String folder, String... files) throws IOException {
        Path dir = root.resolve(DatasetLayout.TRAIN_IMAGES).resolve(folder);
        Files.createDirectories(dir);
        int i = 0;
        for (String f : files) {
            Path file = dir.resolve(f);
            Files.write(file, f.toLowerCase().endsWith(".png") ? png(i++) : jpeg(i++));
        }
        DatasetLayout.parseFolderName(folder).ifPresent(p -> csvRows.add(p.id() + ","
                + p.gender().name().toLowerCase() + "," + p.race() + "," + p.age() + "," + folder));
        return this;
    }

    /** A complete person: the seven photos with the given extensions in stem order. */
    public LayoutBuilder fullPerson(String folder, String... extensions) throws IOException {
        String[] files = new String[DatasetLayout.STEMS.size()];
        for (int i = 0; i < files.length; i++) {
            files[i] = DatasetLayout.STEMS.get(i) + "." + extensions[i % extensions.length];
        }
        return person(folder, files);
    }

    public LayoutBuilder csvRow(String row) {
        csvRows.add(row);
        return this;
    }

    public LayoutBuilder evalImage(String id, boolean listed, boolean present) throws IOException {
        if (present) {
            Files.write(root.resolve(DatasetLayout.EVAL_IMAGES).resolve(id), id.endsWith(".png") ? png(7) : jpeg(7));
        }
        if (listed) {
            infoRows.add(id + ",-1");
        }
        return this;
    }

    public LayoutBuilder file(String relative, byte[] bytes) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
        return this;
    }

    public Path write() throws IOException {
        Files.writeString(root.resolve(DatasetLayout.TRAIN_CSV), DatasetLayout.TRAIN_CSV_HEADER + "\n"
                + String.join("\n", csvRows) + "\n", StandardCharsets.UTF_8);
        Files.writeString(root.resolve(DatasetLayout.EVAL_INFO), DatasetLayout.EVAL_INFO_HEADER + "\n"
                + String.join("\n", infoRows) + "\n", StandardCharsets.UTF_8);
        return root;
    }
}
