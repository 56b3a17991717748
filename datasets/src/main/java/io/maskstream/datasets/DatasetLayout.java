package io.maskstream.datasets;

import io.maskstream.events.Gender;
import io.maskstream.events.MaskState;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The naming rules of the competition data, in one place for the reader and the synthetic writer:
 * where things live, what a person folder is called, which image stems exist and what they mean.
 */
public final class DatasetLayout {

    public static final String TRAIN_IMAGES = "train/images";
    public static final String TRAIN_CSV = "train/train.csv";
    public static final String EVAL_IMAGES = "eval/images";
    public static final String EVAL_INFO = "eval/info.csv";
    public static final String TRAIN_CSV_HEADER = "id,gender,race,age,path";
    public static final String EVAL_INFO_HEADER = "ImageID,ans";

    /** The seven photos of every person, in publishing order. */
    public static final List<String> STEMS = List.of("mask1", "mask2", "mask3", "mask4", "mask5", "incorrect_mask", "normal");

    /** Image extensions accepted (compared case-insensitively). */
    public static final List<String> EXTENSIONS = List.of("jpg", "jpeg", "png");

    private static final Pattern FOLDER = Pattern.compile("([0-9A-Za-z]+)_([A-Za-z]+)_([A-Za-z]+)_([0-9]{1,3})");

    private DatasetLayout() {
    }

    /** A person folder's parsed name. */
    public record PersonFolder(String id, Gender gender, String race, int age) {
        public String name() {
            return folderName(id, gender, race, age);
        }
    }

    /** {@code 000001_female_Asian_45}. */
    public static String folderName(String id, Gender gender, String race, int age) {
        return id + "_" + gender.name().toLowerCase(Locale.ROOT) + "_" + race + "_" + age;
    }

    /** Parses {@code <id>_<gender>_<race>_<age>}; gender must be male or female (any case), age 0..130. */
    public static Optional<PersonFolder> parseFolderName(String name) {
        Matcher m = FOLDER.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        Optional<Gender> gender = parseGender(m.group(2));
        int age = Integer.parseInt(m.group(4));
        if (gender.isEmpty() || age > 130) {
            return Optional.empty();
        }
        return Optional.of(new PersonFolder(m.group(1), gender.get(), m.group(3), age));
    }

    /** {@code male} / {@code female}, any case. */
    public static Optional<Gender> parseGender(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "male" -> Optional.of(Gender.MALE);
            case "female" -> Optional.of(Gender.FEMALE);
            default -> Optional.empty();
        };
    }

    /** mask1..mask5 → WORN, incorrect_mask → INCORRECT, normal → NONE (any case); anything else is not ours. */
    public static Optional<MaskState> maskState(String stem) {
        String s = stem.toLowerCase(Locale.ROOT);
        if (s.equals("incorrect_mask")) {
            return Optional.of(MaskState.INCORRECT);
        }
        if (s.equals("normal")) {
            return Optional.of(MaskState.NONE);
        }
        if (s.length() == 5 && s.startsWith("mask") && s.charAt(4) >= '1' && s.charAt(4) <= '5') {
            return Optional.of(MaskState.WORN);
        }
        return Optional.empty();
    }

    /** The mask state of photo {@code slot} (an index into {@link #STEMS}). */
    public static MaskState maskStateOfSlot(int slot) {
        return maskState(STEMS.get(slot)).orElseThrow();
    }

    /** The file's stem, lower-cased, and its extension, lower-cased; the extension is "" when there is none. */
    static String[] split(String fileName) {
        int dot = fileName.lastIndexOf('.');
        if (dot <= 0) {
            return new String[] {fileName.toLowerCase(Locale.ROOT), ""};
        }
        return new String[] {fileName.substring(0, dot).toLowerCase(Locale.ROOT),
            fileName.substring(dot + 1).toLowerCase(Locale.ROOT)};
    }

    /**
     * Entries that real copies of the data carry but that are not data: macOS resource forks ({@code ._x}),
     * {@code .DS_Store}, {@code __MACOSX}, Windows {@code Thumbs.db}/{@code desktop.ini}, and anything hidden.
     */
    public static boolean isJunkName(String name) {
        return name.startsWith(".") || name.equals("__MACOSX") || name.equalsIgnoreCase("Thumbs.db")
                || name.equalsIgnoreCase("desktop.ini");
    }
}
