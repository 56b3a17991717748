package io.maskstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.model.InvalidModelException.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.security.MessageDigest;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {

    private static ModelBundle bundle;

    @BeforeAll
    static void makeBundle() {
        bundle = ModelBundle.untrained(Architectures.FASTNET, HeadLayout.MULTI_HEAD, "fastnet-v0", 42);
    }

    @Test
    void writtenFileReadsBackToTheSameBytesShaAndMetadata(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("models/fastnet-v0.zip");
        bundle.write(file);

        ModelBundle read = ModelBundle.read(file);

        assertThat(Files.readAllBytes(file)).isEqualTo(bundle.toBytes());
        assertThat(read.toBytes()).isEqualTo(bundle.toBytes());
        assertThat(read.sha256()).isEqualTo(bundle.sha256())
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
        assertThat(read.metadata()).isEqualTo(bundle.metadata());
        assertThat(read.metadata().input()).isEqualTo(Architectures.defaultInput(Architectures.FASTNET));
        assertThat(ModelBundle.read(read.toBytes()).toBytes()).isEqualTo(bundle.toBytes());
    }

    @Test
    void untrainedBundlesAreDeterministicPerSeed() {
        ModelBundle again = ModelBundle.untrained(Architectures.FASTNET, HeadLayout.MULTI_HEAD, "fastnet-v0", 42);
        ModelBundle otherSeed = ModelBundle.untrained(Architectures.FASTNET, HeadLayout.MULTI_HEAD, "fastnet-v0", 43);

        assertThat(again.toBytes()).isEqualTo(bundle.toBytes());
        assertThat(again.sha256()).isEqualTo(bundle.sha256());
        assertThat(otherSeed.metadata().weightsSha256()).isNotEqualTo(bundle.metadata().weightsSha256());
    }

    @Test
    void newVersionKeepsTheWeightsAndTheirChecksum() throws Exception {
        ModelBundle renamed = bundle.withVersion("fastnet-v1");

        assertThat(renamed.metadata().version()).isEqualTo("fastnet-v1");
        assertThat(renamed.metadata().weightsSha256()).isEqualTo(bundle.metadata().weightsSha256());
        assertThat(renamed.sha256()).isNotEqualTo(bundle.sha256());
        assertThat(ModelBundle.read(renamed.toBytes()).metadata().version()).isEqualTo("fastnet-v1");
    }

    @Test
    void metadataJsonIsReadableAndCarriesTheLabelMap() {
        String json = new String(MetadataJson.write(bundle.metadata()), StandardCharsets.UTF_8);

        assertThat(json).contains("\"architecture\" : \"fastnet\"", "\"heads\" : \"MULTI_HEAD\"",
                "[ \"WORN\", \"INCORRECT\", \"NONE\" ]", "\"weightsSha256\" : \"" + bundle.metadata().weightsSha256());
        assertThat(json).doesNotContain("\r");
    }

    @Test
    void truncatedBundleIsRefused() {
        byte[] bytes = bundle.toBytes();

        assertRefused(() -> ModelBundle.read(Arrays.copyOf(bytes, bytes.length / 2)), Reason.TRUNCATED, "truncated");
        assertRefused(() -> ModelBundle.read(Arrays.copyOf(bytes, bytes.length - 10)), Reason.TRUNCATED, "truncated");
        assertRefused(() -> ModelBundle.read(new byte[0]), Reason.TRUNCATED, "empty");
        assertRefused(() -> ModelBundle.read("not a zip".getBytes(StandardCharsets.UTF_8)), Reason.TRUNCATED, "zip");
    }

    @Test
    void corruptedWeightBytesAreRefused() {
        byte[] bytes = bundle.toBytes();
        bytes[bytes.length / 2] ^= 0x5A; // inside the stored weights: the zip CRC catches it

        assertRefused(() -> ModelBundle.read(bytes), Reason.TRUNCATED, "corrupt");
    }

    @Test
    void weightsThatDoNotMatchTheMetadataChecksumAreRefused() {
        byte[] otherWeights = ModelBundle.untrained(Architectures.FASTNET, HeadLayout.MULTI_HEAD, "x", 7).weights();
        byte[] forged = ModelBundle.zip(MetadataJson.write(bundle.metadata()), otherWeights);

        assertRefused(() -> ModelBundle.read(forged), Reason.CHECKSUM_MISMATCH, bundle.metadata().weightsSha256());
    }

    @Test
    void badMetadataIsRefusedNamingTheProblem() {
        String good = new String(MetadataJson.write(bundle.metadata()), StandardCharsets.UTF_8);
        byte[] weights = bundle.weights();

        assertBadMetadata(weights, good.replace("\"version\" : \"fastnet-v0\",", ""), "\"version\" is missing");
        assertBadMetadata(weights, good.replace("\"width\" : 96", "\"width\" : 0"), "input size");
        assertBadMetadata(weights, good.replace("\"height\" : 128", "\"height\" : 100000"), "input size");
        assertBadMetadata(weights, good.replace("\"formatVersion\" : 1", "\"formatVersion\" : 2"), "format version 2");
        assertBadMetadata(weights, good.replace("\"MULTI_HEAD\"", "\"TWO_HEADS\""), "TWO_HEADS");
        assertBadMetadata(weights, good.replace("\"createdTime\" : \"1970-01-01T00:00:00Z\"", "\"createdTime\" : \"yesterday\""),
                "createdTime");
        assertBadMetadata(weights, good.replace("[ \"WORN\", \"INCORRECT\", \"NONE\" ]", "[ \"NONE\", \"INCORRECT\", \"WORN\" ]"),
                "label numbering");
        assertBadMetadata(weights, good.substring(0, good.length() / 2), "not valid JSON");
        assertRefused(() -> ModelBundle.read(onlyWeights(weights)), Reason.BAD_METADATA, "metadata.json");
    }

    @Test
    void unknownArchitectureIsRefused() {
        String json = new String(MetadataJson.write(bundle.metadata()), StandardCharsets.UTF_8)
                .replace("\"fastnet\"", "\"efficientnet-b9\"");

        assertRefused(() -> ModelBundle.read(ModelBundle.zip(json.getBytes(StandardCharsets.UTF_8), bundle.weights())),
                Reason.UNKNOWN_ARCHITECTURE, "efficientnet-b9");
    }

    @Test
    void missingFileIsALoadFailureNamingThePath(@TempDir Path dir) {
        Path missing = dir.resolve("nope.zip");

        assertRefused(() -> ModelBundle.read(missing), Reason.LOAD_FAILED, missing.toString());
    }

    private static byte[] onlyWeights(byte[] weights) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(out)) {
            zip.putNextEntry(new java.util.zip.ZipEntry(ModelBundle.WEIGHTS_ENTRY));
            zip.write(weights);
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    private static void assertBadMetadata(byte[] weights, String json, String messagePart) {
        byte[] zip = ModelBundle.zip(json.getBytes(StandardCharsets.UTF_8), weights);
        assertRefused(() -> ModelBundle.read(zip), Reason.BAD_METADATA, messagePart);
    }

    static void assertRefused(ThrowingCallable call, Reason reason, String messagePart) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(InvalidModelException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(messagePart);
    }
}
