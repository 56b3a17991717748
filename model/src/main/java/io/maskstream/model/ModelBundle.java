package io.maskstream.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import io.maskstream.model.InvalidModelException.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A model as it travels: a zip holding {@code metadata.json} and {@code weights.params} (DJL's
 * {@code Block.saveParameters} format), whose metadata carries the weights' SHA-256, for a scene model
 * {@code detector.bundle}: the face detector trained beside the classifier, itself a bundle of this format, and for
 * the {@link Architectures#TORCHSCRIPT} architecture {@code backbone.pt}: the fine-tuned imported module as
 * {@code torch.jit.save} writes it (its SHA-256 in the metadata's {@code backbone}; {@code weights.params} then
 * holds the heads only).
 *
 * <p>An ensemble ({@link #ensemble}, architecture {@link Architectures#ENSEMBLE}) holds no weights of its own: its
 * {@code ensemble.json} names the vote and each member, and {@code members/0.bundle}, {@code members/1.bundle}, …
 * hold the members' full bundles (each with its own version, metadata and weights checksum). Its metadata's
 * {@code weightsSha256} is {@code ensemble.json}'s, which lists every member bundle's SHA-256, so the ensemble's
 * {@link #sha256()} (the release's) covers every member: a release's signature covers them too, and deleting a member's
 * own release artifact can never break the ensemble. A member is a classifier network: never an ensemble, never a face
 * detector.
 *
 * <p>Invariants: immutable; a bundle that exists was either built here or passed every check of
 * {@link #read} (zip intact, metadata complete and sane, architecture known, weights checksum equal to
 * the metadata's, a backbone entry exactly when the architecture is torchscript, with the SHA-256 the metadata
 * says). The bytes are deterministic: entries are stored uncompressed (no dependence on the
 * zlib version) with a fixed timestamp, and the JSON is written in a fixed order, so the same bundle is
 * always the same bytes and {@link #sha256()} identifies it. A bundle read from bytes keeps those bytes.
 * Whether the weights fit the network is checked when a {@link Classifier} loads it.
 */
public final class ModelBundle {

    static final String METADATA_ENTRY = "metadata.json";
    static final String WEIGHTS_ENTRY = "weights.params";
    static final String DETECTOR_ENTRY = "detector.bundle";
    static final String BACKBONE_ENTRY = "backbone.pt";
    static final String ENSEMBLE_ENTRY = EnsembleManifest.ENTRY;

    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(2000, 1, 1, 0, 0);
    private static final int MAX_METADATA_BYTES = 1 << 20;
    private static final int MAX_WEIGHTS_BYTES = Integer.MAX_VALUE - 16;
    private static final int END_RECORD_SIZE = 22;

    static {
        Compute.prepare();
    }

    private final BundleMetadata metadata;
    private final byte[] weights;
    private final byte[] bytes;
    private final String sha256;
    private final ModelBundle detector;
    /** Null for a network; for an ensemble its table of contents, whose bytes are {@link #weights}. */
    private final EnsembleManifest manifest;
    private final List<ModelBundle> members;
    /** The imported module of a torchscript bundle; null for every other architecture. */
    private final byte[] backbone;

    private ModelBundle(BundleMetadata metadata, byte[] weights, byte[] bytes, ModelBundle detector,
                        EnsembleManifest manifest, List<ModelBundle> members, byte[] backbone) {
        this.metadata = metadata;
        this.weights = weights;
        this.bytes = bytes;
        this.sha256 = sha256(bytes);
        this.detector = detector;
        this.manifest = manifest;
        this.members = List.copyOf(members);
        this.backbone = backbone;
    }

    /**
     * An ensemble of {@code members} under {@code version}, voting by {@code vote}: one bundle embedding each member's
     * full bundle. Its input is the largest member input (by pixels; the first on a tie): the ensemble's
     * preprocessor prepares images at that size and members taking a smaller input get them resized (see
     * {@link EnsembleClassifier}). Its head layout is {@link HeadLayout#MULTI_HEAD} for a soft vote of multi-head
     * members, else {@link HeadLayout#SINGLE_18} (see {@link EnsembleVote}). It carries the first member's face
     * detector when a member has one. Created at the newest member's time, so the same members and vote always give the
     * same bytes. The training summary names the vote and the members' versions.
     *
     * @throws IllegalArgumentException for fewer than 2 members, or a member that is an ensemble or a face detector
     */
    public static ModelBundle ensemble(String version, EnsembleVote vote, List<ModelBundle> members) {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(vote, "vote");
        if (members == null || members.size() < 2) {
            throw new IllegalArgumentException("an ensemble needs at least 2 members, got "
                    + (members == null ? 0 : members.size()));
        }
        InputSpec input = null;
        Instant created = Instant.EPOCH;
        ModelBundle faceDetector = null;
        List<String> versions = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            ModelBundle m = Objects.requireNonNull(members.get(i), "member " + i);
            if (m.isEnsemble() || m.metadata.heads().isDetector()) {
                throw new IllegalArgumentException("ensemble " + version + ": member " + i + " (" + m.metadata.version()
                        + ") is " + (m.isEnsemble() ? "an ensemble itself" : "a face detector")
                        + "; members must be classifier networks");
            }
            InputSpec in = m.metadata.input();
            if (input == null || (long) in.width() * in.height() > (long) input.width() * input.height()) {
                input = in;
            }
            if (m.metadata.createdTime().isAfter(created)) {
                created = m.metadata.createdTime();
            }
            if (faceDetector == null && m.detector != null) {
                faceDetector = m.detector;
            }
            versions.add(m.metadata.version());
        }
        EnsembleManifest manifest = EnsembleManifest.of(vote, members);
        byte[] toc = manifest.toBytes();
        Map<String, String> summary = new LinkedHashMap<>();
        summary.put(ENSEMBLE_VOTE_KEY, vote.label());
        summary.put(ENSEMBLE_MEMBERS_KEY, String.join(",", versions));
        BundleMetadata metadata = new BundleMetadata(BundleMetadata.FORMAT_VERSION, version, Architectures.ENSEMBLE,
                ensembleHeads(vote, members), input, created, summary, sha256(toc));
        return assemble(metadata, toc, faceDetector, manifest, members);
    }

    /** The training-summary key naming an ensemble's vote ({@code soft}/{@code hard}). */
    public static final String ENSEMBLE_VOTE_KEY = "ensemble.vote";
    /** The training-summary key listing an ensemble's member versions, comma-separated, in member order. */
    public static final String ENSEMBLE_MEMBERS_KEY = "ensemble.members";

    /** The head layout of an ensemble's predictions: multi-head only for a soft vote of multi-head members. */
    static HeadLayout ensembleHeads(EnsembleVote vote, List<ModelBundle> members) {
        boolean allMulti = members.stream().allMatch(m -> m.metadata.heads() == HeadLayout.MULTI_HEAD);
        return vote == EnsembleVote.SOFT && allMulti ? HeadLayout.MULTI_HEAD : HeadLayout.SINGLE_18;
    }

    /**
     * A bundle of a trained (initialised) block's weights. The metadata's {@code weightsSha256} is
     * computed here; whatever the argument held is replaced. A network on an imported backbone
     * ({@link ImportedBackbone#network}) needs metadata naming it ({@link BundleMetadata#withBackbone}); its module
     * goes into the bundle as it is now, with its SHA-256 in the metadata.
     *
     * @throws IllegalArgumentException if the block has no weights yet or the metadata names an unknown
     *     architecture or format, or names a backbone for a block without one or the other way round
     */
    public static ModelBundle fromBlock(Block trainedBlock, BundleMetadata metadata) {
        Objects.requireNonNull(trainedBlock, "trainedBlock");
        Objects.requireNonNull(metadata, "metadata");
        if (!Architectures.isKnown(metadata.architecture())) {
            throw new IllegalArgumentException("unknown architecture \"" + metadata.architecture() + "\"; known: "
                    + Architectures.names());
        }
        if (metadata.formatVersion() != BundleMetadata.FORMAT_VERSION) {
            throw new IllegalArgumentException("this build writes bundle format " + BundleMetadata.FORMAT_VERSION
                    + ", not " + metadata.formatVersion());
        }
        if (!trainedBlock.isInitialized()) {
            throw new IllegalArgumentException("the block has no weights yet: initialise or train it first");
        }
        boolean imported = trainedBlock instanceof Networks.Imported;
        if (imported != Architectures.TORCHSCRIPT.equals(metadata.architecture()) || imported != (metadata.backbone() != null)) {
            throw new IllegalArgumentException("architecture \"" + metadata.architecture() + "\" with "
                    + (metadata.backbone() == null ? "no backbone" : "backbone " + metadata.backbone().name())
                    + " does not describe a " + (imported ? "network on an imported backbone" : "built-in network")
                    + ": an imported backbone's architecture is \"" + Architectures.TORCHSCRIPT + "\" and its metadata "
                    + "names it (BundleMetadata.withBackbone)");
        }
        byte[] weights = saveParameters(trainedBlock);
        BundleMetadata m = metadata.withWeightsSha256(sha256(weights));
        byte[] module = null;
        if (imported) {
            Networks.Imported network = (Networks.Imported) trainedBlock;
            module = network.saveModule();
            m = m.withBackbone(new BundleMetadata.Backbone(metadata.backbone().name(), metadata.backbone().sourceSha256(),
                    sha256(module), network.features()));
        }
        return assemble(m, weights, null, null, List.of(), module);
    }

    /**
     * A bundle with random weights: He-normal convolution and linear weights drawn from
     * {@code java.util.Random} seeded per tensor, batch norm at identity, created at the epoch, so the same
     * arguments always give the same bytes. Serves until a trained model exists.
     *
     * @throws IllegalArgumentException for an unknown architecture
     */
    public static ModelBundle untrained(String architecture, HeadLayout layout, String version, long seed) {
        Block block;
        try {
            block = Architectures.build(architecture, layout);
        } catch (InvalidModelException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        InputSpec input = Architectures.defaultInput(architecture);
        try (NDManager manager = Compute.engine().newBaseManager(Device.cpu())) {
            // Weights from a seeded He-normal; biases, batch-norm shifts and means 0, scales and variances 1
            // (DJL's defaults for those types). Initialisation visits parameters in block order, always the same.
            block.setInitializer(new SeededHeNormal(seed), Parameter.Type.WEIGHT);
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, input.height(), input.width()));
            Map<String, String> summary = new LinkedHashMap<>();
            summary.put("trained", "false");
            summary.put("init", "he-normal, seed " + seed);
            BundleMetadata metadata = new BundleMetadata(BundleMetadata.FORMAT_VERSION, version, architecture, layout,
                    input, Instant.EPOCH, summary, null);
            return fromBlock(block, metadata);
        }
    }

    /** Reads and checks a bundle file; see {@link #read(byte[])}. */
    public static ModelBundle read(Path file) throws InvalidModelException {
        byte[] content;
        try {
            if (Files.size(file) > Integer.MAX_VALUE - 16) {
                throw new InvalidModelException(Reason.LOAD_FAILED, "model bundle " + file + " is larger than 2 GB");
            }
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidModelException(Reason.LOAD_FAILED, "no model bundle at " + file, e);
        } catch (IOException e) {
            throw new InvalidModelException(Reason.LOAD_FAILED, "cannot read model bundle " + file + ": " + e, e);
        }
        try {
            return read(content);
        } catch (InvalidModelException e) {
            throw new InvalidModelException(e.reason(), "model bundle " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads and checks a bundle: the zip must be complete and intact ({@code TRUNCATED}), metadata.json
     * present, complete and sane ({@code BAD_METADATA}), the architecture known
     * ({@code UNKNOWN_ARCHITECTURE}) and the weights' SHA-256 equal to the metadata's
     * ({@code CHECKSUM_MISMATCH}).
     */
    public static ModelBundle read(byte[] bundleBytes) throws InvalidModelException {
        if (bundleBytes == null || bundleBytes.length == 0) {
            throw new InvalidModelException(Reason.TRUNCATED, "the model bundle is empty (0 bytes)");
        }
        if (bundleBytes.length < 4 || bundleBytes[0] != 'P' || bundleBytes[1] != 'K' || bundleBytes[2] != 3
                || bundleBytes[3] != 4) {
            throw new InvalidModelException(Reason.TRUNCATED, "not a model bundle: the " + bundleBytes.length
                    + " bytes do not start like a zip file");
        }
        if (!hasEndRecord(bundleBytes)) {
            throw new InvalidModelException(Reason.TRUNCATED, "the model bundle is truncated: its zip end record is "
                    + "missing (" + bundleBytes.length + " bytes)");
        }
        byte[] metadataJson = null;
        byte[] weights = null;
        byte[] detectorBytes = null;
        byte[] ensembleJson = null;
        byte[] backboneBytes = null;
        Map<String, byte[]> memberBytes = new LinkedHashMap<>();
        String current = null;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bundleBytes))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                current = entry.getName();
                if (METADATA_ENTRY.equals(entry.getName())) {
                    metadataJson = readEntry(zip, MAX_METADATA_BYTES, entry.getName(), Reason.BAD_METADATA);
                } else if (WEIGHTS_ENTRY.equals(entry.getName())) {
                    weights = readEntry(zip, MAX_WEIGHTS_BYTES, entry.getName(), Reason.LOAD_FAILED);
                } else if (DETECTOR_ENTRY.equals(entry.getName())) {
                    detectorBytes = readEntry(zip, MAX_WEIGHTS_BYTES, entry.getName(), Reason.LOAD_FAILED);
                } else if (BACKBONE_ENTRY.equals(entry.getName())) {
                    backboneBytes = readEntry(zip, MAX_WEIGHTS_BYTES, entry.getName(), Reason.LOAD_FAILED);
                } else if (ENSEMBLE_ENTRY.equals(entry.getName())) {
                    ensembleJson = readEntry(zip, MAX_METADATA_BYTES, entry.getName(), Reason.BAD_METADATA);
                } else if (entry.getName().startsWith(EnsembleManifest.MEMBER_PREFIX)) {
                    memberBytes.put(entry.getName(), readEntry(zip, MAX_WEIGHTS_BYTES, entry.getName(), Reason.LOAD_FAILED));
                }
            }
        } catch (ZipException | EOFException e) {
            throw new InvalidModelException(Reason.TRUNCATED, "the model bundle is truncated or corrupt"
                    + (current == null ? "" : " (at entry " + current + ")") + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new InvalidModelException(Reason.TRUNCATED, "the model bundle cannot be unpacked: " + e, e);
        }
        if (metadataJson == null) {
            throw new InvalidModelException(Reason.BAD_METADATA, "the model bundle has no " + METADATA_ENTRY);
        }
        if (weights == null && ensembleJson == null) {
            throw new InvalidModelException(Reason.TRUNCATED, "the model bundle has no " + WEIGHTS_ENTRY);
        }
        BundleMetadata metadata = MetadataJson.read(metadataJson);
        EnsembleManifest manifest = null;
        List<ModelBundle> members = List.of();
        if (Architectures.isEnsemble(metadata.architecture())) {
            manifest = checkedManifest(metadata, ensembleJson);
            members = readMembers(metadata, manifest, memberBytes);
            weights = ensembleJson;
        } else {
            if (!Architectures.isKnown(metadata.architecture())) {
                throw new InvalidModelException(Reason.UNKNOWN_ARCHITECTURE, "model " + metadata.version()
                        + " needs architecture \"" + metadata.architecture() + "\", which this build does not know (it knows "
                        + Architectures.names() + " and " + Architectures.ENSEMBLE + ")");
            }
            if (weights == null) {
                throw new InvalidModelException(Reason.TRUNCATED, "the model bundle has no " + WEIGHTS_ENTRY);
            }
            if (!memberBytes.isEmpty() || ensembleJson != null) {
                throw new InvalidModelException(Reason.BAD_METADATA, "model " + metadata.version() + " ("
                        + metadata.architecture() + ") holds ensemble entries (" + ENSEMBLE_ENTRY + ", "
                        + EnsembleManifest.MEMBER_PREFIX + "...) but its architecture is not " + Architectures.ENSEMBLE);
            }
            String actual = sha256(weights);
            if (!actual.equals(metadata.weightsSha256())) {
                throw new InvalidModelException(Reason.CHECKSUM_MISMATCH, "model " + metadata.version()
                        + ": the weights' SHA-256 is " + actual + " but the metadata says " + metadata.weightsSha256()
                        + "; the weights were altered or belong to another bundle");
            }
        }
        checkBackbone(metadata, backboneBytes);
        ModelBundle detector = null;
        if (detectorBytes != null) {
            try {
                detector = read(detectorBytes);
            } catch (InvalidModelException e) {
                throw new InvalidModelException(e.reason(), "model " + metadata.version() + ": its face detector ("
                        + DETECTOR_ENTRY + "): " + e.getMessage(), e);
            }
            if (detector.detector != null) {
                throw new InvalidModelException(Reason.BAD_METADATA, "model " + metadata.version()
                        + ": its face detector holds a detector of its own");
            }
        }
        return new ModelBundle(metadata, weights, bundleBytes.clone(), detector, manifest, members, backboneBytes);
    }

    /** A torchscript bundle carries its module, with the SHA-256 its metadata says; no other bundle carries one. */
    private static void checkBackbone(BundleMetadata metadata, byte[] module) throws InvalidModelException {
        String model = "model " + metadata.version();
        boolean torchscript = Architectures.TORCHSCRIPT.equals(metadata.architecture());
        if (torchscript && metadata.backbone() == null) {
            throw new InvalidModelException(Reason.BAD_METADATA, model + " has architecture \"" + Architectures.TORCHSCRIPT
                    + "\" but its metadata names no backbone");
        }
        if (!torchscript && metadata.backbone() != null) {
            throw new InvalidModelException(Reason.BAD_METADATA, model + " names backbone " + metadata.backbone().name()
                    + " but has architecture \"" + metadata.architecture() + "\", which has none");
        }
        if (!torchscript && module != null) {
            throw new InvalidModelException(Reason.BAD_METADATA, model + " (" + metadata.architecture() + ") holds a "
                    + BACKBONE_ENTRY + ", which only architecture \"" + Architectures.TORCHSCRIPT + "\" has");
        }
        if (torchscript && module == null) {
            throw new InvalidModelException(Reason.TRUNCATED, model + " has architecture \"" + Architectures.TORCHSCRIPT
                    + "\" but no " + BACKBONE_ENTRY + " (its imported module)");
        }
        if (torchscript) {
            String actual = sha256(module);
            if (!actual.equals(metadata.backbone().sha256())) {
                throw new InvalidModelException(Reason.CHECKSUM_MISMATCH, model + ": its backbone's (" + BACKBONE_ENTRY
                        + ") SHA-256 is " + actual + " but the metadata says " + metadata.backbone().sha256()
                        + "; the module was altered or belongs to another bundle");
            }
        }
    }

    /** An ensemble's ensemble.json: present, the one its metadata's checksum names, well-formed. */
    private static EnsembleManifest checkedManifest(BundleMetadata metadata, byte[] ensembleJson)
            throws InvalidModelException {
        String model = "ensemble " + metadata.version();
        if (ensembleJson == null) {
            throw new InvalidModelException(Reason.TRUNCATED, model + " has no " + ENSEMBLE_ENTRY);
        }
        String actual = sha256(ensembleJson);
        if (!actual.equals(metadata.weightsSha256())) {
            throw new InvalidModelException(Reason.CHECKSUM_MISMATCH, model + ": the SHA-256 of its " + ENSEMBLE_ENTRY
                    + " is " + actual + " but the metadata says " + metadata.weightsSha256()
                    + "; the member list was altered or belongs to another bundle");
        }
        return EnsembleManifest.read(ensembleJson, model);
    }

    /**
     * Every member the manifest lists, each present, of the SHA-256 it lists, passing every check of {@link #read}, a
     * classifier network of the listed version; nothing else under members/; and the ensemble's head layout the one
     * its members and vote give. Any failure refuses the whole ensemble and names the member.
     */
    private static List<ModelBundle> readMembers(BundleMetadata metadata, EnsembleManifest manifest,
                                                 Map<String, byte[]> memberBytes) throws InvalidModelException {
        String model = "ensemble " + metadata.version();
        List<ModelBundle> members = new ArrayList<>();
        for (int i = 0; i < manifest.members().size(); i++) {
            EnsembleManifest.Member listed = manifest.members().get(i);
            String member = model + ": member " + i + " (" + listed.version() + ", " + listed.entry() + ")";
            byte[] b = memberBytes.get(listed.entry());
            if (b == null) {
                throw new InvalidModelException(Reason.TRUNCATED, member + " is missing from the bundle");
            }
            String actual = sha256(b);
            if (!actual.equals(listed.sha256())) {
                throw new InvalidModelException(Reason.CHECKSUM_MISMATCH, member + ": its bundle's SHA-256 is " + actual
                        + " but " + ENSEMBLE_ENTRY + " says " + listed.sha256() + "; the member was altered or replaced");
            }
            ModelBundle m;
            try {
                m = read(b);
            } catch (InvalidModelException e) {
                throw new InvalidModelException(e.reason(), member + ": " + e.getMessage(), e);
            }
            if (m.isEnsemble()) {
                throw new InvalidModelException(Reason.BAD_METADATA, member + " is an ensemble itself; ensembles do not nest");
            }
            if (m.metadata.heads().isDetector()) {
                throw new InvalidModelException(Reason.SHAPE_MISMATCH, member + " is a face detector, not a classifier");
            }
            if (!m.metadata.version().equals(listed.version())) {
                throw new InvalidModelException(Reason.BAD_METADATA, member + " holds a bundle of version "
                        + m.metadata.version());
            }
            members.add(m);
        }
        for (String entry : memberBytes.keySet()) {
            if (manifest.members().stream().noneMatch(m -> m.entry().equals(entry))) {
                throw new InvalidModelException(Reason.BAD_METADATA, model + " holds " + entry + ", which "
                        + ENSEMBLE_ENTRY + " does not list");
            }
        }
        HeadLayout heads = ensembleHeads(manifest.vote(), members);
        if (metadata.heads() != heads) {
            throw new InvalidModelException(Reason.SHAPE_MISMATCH, model + " claims head layout " + metadata.heads()
                    + " but a " + manifest.vote().label() + " vote of its members gives " + heads);
        }
        return members;
    }

    /** Writes the bundle's bytes to a file, atomically where the file system allows (no half-written bundle). */
    public void write(Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The bundle's bytes (a copy): the same bundle always gives the same bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Hex SHA-256 of {@link #toBytes()}, equal to that of the written file. */
    public String sha256() {
        return sha256;
    }

    /** The metadata. */
    public BundleMetadata metadata() {
        return metadata;
    }

    /** Size of the bundle in bytes. */
    public int size() {
        return bytes.length;
    }

    /** The same weights under another model version (the weights' checksum stays; an ensemble keeps its members). */
    public ModelBundle withVersion(String version) {
        return assemble(metadata.withVersion(Objects.requireNonNull(version, "version")), weights, detector, manifest,
                members, backbone);
    }

    /** Whether this bundle is an ensemble of member bundles rather than one network. */
    public boolean isEnsemble() {
        return manifest != null;
    }

    /** An ensemble's members, in order (each a full bundle with its own version and checksum); empty for a network. */
    public List<ModelBundle> members() {
        return members;
    }

    /** An ensemble's vote; empty for a network. */
    public java.util.Optional<EnsembleVote> vote() {
        return manifest == null ? java.util.Optional.empty() : java.util.Optional.of(manifest.vote());
    }

    /**
     * The face detector trained with this classifier, when the bundle holds one: a scene model is one release
     * holding both, so the classifier always serves the crops of the detector it was trained beside.
     */
    public java.util.Optional<ModelBundle> detector() {
        return java.util.Optional.ofNullable(detector);
    }

    /** This classifier with {@code faceDetector} packed beside it (replacing any it held). */
    public ModelBundle withDetector(ModelBundle faceDetector) {
        Objects.requireNonNull(faceDetector, "faceDetector");
        if (faceDetector.detector != null) {
            throw new IllegalArgumentException("a face detector cannot hold a detector of its own");
        }
        return assemble(metadata, weights, faceDetector, manifest, members, backbone);
    }

    /** The same weights with another training summary in the metadata (the trainer adds it after choosing an epoch). */
    public ModelBundle withTrainingSummary(java.util.Map<String, String> summary) {
        return assemble(metadata.withTrainingSummary(summary == null ? null : new java.util.LinkedHashMap<>(summary)),
                weights, detector, manifest, members, backbone);
    }

    /**
     * The imported module of a torchscript bundle ({@link Architectures#TORCHSCRIPT}), as {@code torch.jit.save}
     * wrote it: {@code torch.jit.load} reads it outside this build too. Empty for every other architecture.
     */
    public java.util.Optional<byte[]> backboneModule() {
        return java.util.Optional.ofNullable(backbone).map(byte[]::clone);
    }

    /** The imported module's bytes, shared, not copied (never modify); null unless torchscript. */
    byte[] backbone() {
        return backbone;
    }

    /** The weights in DJL's parameter format; shared, not copied: never modify. */
    byte[] weights() {
        return weights;
    }

    @Override
    public String toString() {
        return "ModelBundle[" + metadata.version() + ", " + metadata.architecture()
                + (metadata.backbone() == null ? "" : "(" + metadata.backbone().name() + ")") + "/" + metadata.heads() + ", input "
                + metadata.input().width() + "x" + metadata.input().height() + ", " + bytes.length + " bytes, sha256 "
                + sha256.substring(0, 12) + "]";
    }

    /** Packs metadata and weights as given, without checks; tests use it to make broken bundles. */
    static ModelBundle assemble(BundleMetadata metadata, byte[] weights) {
        return assemble(metadata, weights, null, null, List.of(), null);
    }

    /** As {@link #assemble(BundleMetadata, byte[])}, with an imported module; tests use it to make broken bundles. */
    static ModelBundle assemble(BundleMetadata metadata, byte[] weights, byte[] backboneModule) {
        return assemble(metadata, weights, null, null, List.of(), backboneModule);
    }

    private static ModelBundle assemble(BundleMetadata metadata, byte[] weights, ModelBundle detector) {
        return assemble(metadata, weights, detector, null, List.of(), null);
    }

    private static ModelBundle assemble(BundleMetadata metadata, byte[] weights, ModelBundle detector,
                                        EnsembleManifest manifest, List<ModelBundle> members) {
        return assemble(metadata, weights, detector, manifest, members, null);
    }

    private static ModelBundle assemble(BundleMetadata metadata, byte[] weights, ModelBundle detector,
                                        EnsembleManifest manifest, List<ModelBundle> members, byte[] backboneModule) {
        Map<String, byte[]> memberEntries = new LinkedHashMap<>();
        for (int i = 0; i < members.size(); i++) {
            memberEntries.put(EnsembleManifest.memberEntry(i), members.get(i).bytes);
        }
        return new ModelBundle(metadata, weights, zip(MetadataJson.write(metadata), manifest == null ? WEIGHTS_ENTRY
                : ENSEMBLE_ENTRY, weights, detector == null ? null : detector.bytes, memberEntries, backboneModule), detector,
                manifest, members, backboneModule);
    }

    static byte[] zip(byte[] metadataJson, byte[] weights) {
        return zip(metadataJson, WEIGHTS_ENTRY, weights, null, Map.of(), null);
    }

    /** An ensemble's zip as given, without checks; tests use it to make broken ensembles. */
    static byte[] zipEnsemble(byte[] metadataJson, byte[] manifest, Map<String, byte[]> memberEntries) {
        return zip(metadataJson, ENSEMBLE_ENTRY, manifest, null, memberEntries, null);
    }

    private static byte[] zip(byte[] metadataJson, String weightsEntry, byte[] weights, byte[] detector,
                              Map<String, byte[]> memberEntries, byte[] backboneModule) {
        long size = metadataJson.length + weights.length + 512L + (detector == null ? 0 : detector.length)
                + (backboneModule == null ? 0 : backboneModule.length);
        for (byte[] m : memberEntries.values()) {
            size += m.length + 128L;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 16, size));
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            putStored(zip, METADATA_ENTRY, metadataJson);
            putStored(zip, weightsEntry, weights);
            for (Map.Entry<String, byte[]> m : memberEntries.entrySet()) {
                putStored(zip, m.getKey(), m.getValue());
            }
            if (detector != null) {
                putStored(zip, DETECTOR_ENTRY, detector);
            }
            if (backboneModule != null) {
                putStored(zip, BACKBONE_ENTRY, backboneModule);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot zip a model bundle in memory", e);
        }
        return out.toByteArray();
    }

    private static void putStored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(data);
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        entry.setCompressedSize(data.length);
        entry.setCrc(crc.getValue());
        entry.setTimeLocal(ENTRY_TIME); // DOS time only, no time zone, no extra field
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }

    private static byte[] readEntry(InputStream in, int limit, String name, Reason tooLarge)
            throws IOException, InvalidModelException {
        byte[] data = in.readNBytes(limit);
        if (in.read() != -1) {
            throw new InvalidModelException(tooLarge, "bundle entry " + name + " is larger than " + limit + " bytes");
        }
        return data;
    }

    /** The zip end-of-central-directory record must close the file; a cut-off bundle lacks it. */
    private static boolean hasEndRecord(byte[] b) {
        int last = b.length - END_RECORD_SIZE;
        int first = Math.max(0, last - 0xFFFF);
        for (int i = last; i >= first; i--) {
            if (b[i] == 'P' && b[i + 1] == 'K' && b[i + 2] == 5 && b[i + 3] == 6) {
                int commentLength = (b[i + 20] & 0xFF) | (b[i + 21] & 0xFF) << 8;
                return i + END_RECORD_SIZE + commentLength == b.length;
            }
        }
        return false;
    }

    private static byte[] saveParameters(Block block) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
        try (DataOutputStream data = new DataOutputStream(out)) {
            block.saveParameters(data);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the block's parameters", e);
        }
        return out.toByteArray();
    }

    /** He-normal weights from {@code java.util.Random} (specified, so the same on every JVM), one seed per tensor. */
    private static final class SeededHeNormal implements Initializer {
        private final long seed;
        private int tensor;

        SeededHeNormal(long seed) {
            this.seed = seed;
        }

        @Override
        public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
            Random random = new Random(seed ^ (0x9E3779B97F4A7C15L * ++tensor));
            long fanIn = shape.dimension() > 1 ? shape.size() / shape.get(0) : shape.size();
            double std = Math.sqrt(2.0 / Math.max(1, fanIn));
            float[] values = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (random.nextGaussian() * std);
            }
            return manager.create(values, shape).toType(dataType, false);
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
