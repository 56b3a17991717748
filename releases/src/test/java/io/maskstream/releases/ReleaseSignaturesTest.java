package io.maskstream.releases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseStatus;
import io.maskstream.model.InvalidModelException;
import io.maskstream.model.InvalidModelException.Reason;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleaseSignaturesTest {

    private static final KeyPair TRAINER = ReleaseSignatures.generateKeyPair();
    private static final KeyPair OTHER = ReleaseSignatures.generateKeyPair();

    static ModelRelease release() {
        Instant t = Instant.ofEpochMilli(1_700_000_000_000L);
        return ModelRelease.newBuilder().setVersion("v1").setArchitecture("fastnet").setInputWidth(96).setInputHeight(128)
                .setStatus(ReleaseStatus.CANDIDATE).setCreatedTime(t).setStatusTime(t)
                .setSha256("ab".repeat(32)).setArtifactUri("kafka://artifacts/v1?offset=3").setArtifactBytes(1234)
                .setTrainingData("test").build();
    }

    private static ModelRelease signed() {
        return ReleaseSignatures.sign(release(), ReleaseSignatures.SigningKey.of(TRAINER));
    }

    private static ReleaseSignatures.TrustedKeys trusting(KeyPair... pairs) {
        return ReleaseSignatures.TrustedKeys.of(java.util.Arrays.stream(pairs).map(KeyPair::getPublic).toList());
    }

    @Test
    void aSignedReleaseVerifiesWithTheKeyIdOfItsSigner() throws Exception {
        ModelRelease r = signed();
        String id = ReleaseSignatures.keyId(TRAINER.getPublic());
        assertThat(id).matches("[0-9a-f]{16}");
        assertThat(r.getSignature().getKeyId()).isEqualTo(id);
        assertThat(trusting(OTHER, TRAINER).verify(r, true)).isEqualTo(id);
    }

    @Test
    void promotionRollbackAndNotesKeepTheSignatureValidAndTheUriIsNotSigned() throws Exception {
        ModelRelease promoted = ModelRelease.newBuilder(signed()).setStatus(ReleaseStatus.ACTIVE)
                .setStatusTime(Instant.now()).setNotes("promoted by operator").setArtifactDeletedTime(null)
                .setArtifactUri("kafka://artifacts/v1?offset=99").build();
        assertThat(trusting(TRAINER).verify(promoted, true)).isNotNull();
    }

    @Test
    void changingAnySignedFieldAfterSigningBreaksTheSignature() {
        List<UnaryOperator<ModelRelease.Builder>> changes = List.of(b -> b.setVersion("v2"), b -> b.setArchitecture("resnet18"),
                b -> b.setInputWidth(97), b -> b.setInputHeight(129), b -> b.setSha256("cd".repeat(32)),
                b -> b.setArtifactBytes(1235));
        for (var change : changes) {
            ModelRelease changed = change.apply(ModelRelease.newBuilder(signed())).build();
            assertThatThrownBy(() -> trusting(TRAINER).verify(changed, true)).isInstanceOf(InvalidModelException.class)
                    .satisfies(e -> assertThat(((InvalidModelException) e).reason()).isEqualTo(Reason.BAD_SIGNATURE));
        }
    }

    @Test
    void canonicalBytesIgnoreShaCaseButNotFieldBoundaries() {
        ModelRelease upper = ModelRelease.newBuilder(release()).setSha256("AB".repeat(32)).build();
        assertThat(ReleaseSignatures.canonicalBytes(upper)).isEqualTo(ReleaseSignatures.canonicalBytes(release()));
        ModelRelease shifted = ModelRelease.newBuilder(release()).setVersion("v1f").setArchitecture("astnet").build();
        assertThat(ReleaseSignatures.canonicalBytes(shifted)).isNotEqualTo(ReleaseSignatures.canonicalBytes(release()));
    }

    @Test
    void forgedUnknownAndMissingSignaturesAreRefusedEachWithItsReason() throws Exception {
        ModelRelease r = signed();
        byte[] bytes = r.getSignature().getValue().array().clone();
        bytes[5] ^= 1;
        ModelRelease forged = ModelRelease.newBuilder(r).setSignature(
                io.maskstream.events.ReleaseSignature.newBuilder(r.getSignature()).setValue(ByteBuffer.wrap(bytes)).build()).build();
        assertRefused(forged, trusting(TRAINER), true, Reason.BAD_SIGNATURE);
        assertRefused(r, trusting(OTHER), true, Reason.UNTRUSTED_SIGNATURE);
        assertRefused(release(), trusting(TRAINER), true, Reason.UNSIGNED);
        assertThat(trusting(TRAINER).verify(release(), false)).isNull();
        assertRefused(r, trusting(OTHER), false, Reason.UNTRUSTED_SIGNATURE); // a signature is checked even when optional
    }

    private static void assertRefused(ModelRelease r, ReleaseSignatures.TrustedKeys keys, boolean required, Reason reason) {
        assertThatThrownBy(() -> keys.verify(r, required)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining(r.getVersion())
                .satisfies(e -> assertThat(((InvalidModelException) e).reason()).isEqualTo(reason));
    }

    @Test
    void keyFilesRoundTripAsPemAndDerAndThePrivateKeyAloneGivesTheKeyId(@TempDir Path dir) throws Exception {
        KeyPair pair = ReleaseSignatures.generateKeyPair();
        ReleaseSignatures.writeKeyPair(pair, dir);
        Path priv = dir.resolve(ReleaseSignatures.PRIVATE_KEY_FILE);
        Path pub = dir.resolve(ReleaseSignatures.PUBLIC_KEY_FILE);
        assertThat(Files.readString(priv)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.readString(pub)).startsWith("-----BEGIN PUBLIC KEY-----");
        ReleaseSignatures.SigningKey key = ReleaseSignatures.SigningKey.read(priv);
        assertThat(key.keyId()).isEqualTo(ReleaseSignatures.keyId(pair.getPublic()));
        assertThat(ReleaseSignatures.readPublicKey(pub)).isEqualTo(pair.getPublic());

        Path der = Files.write(dir.resolve("pub.der"), pair.getPublic().getEncoded());
        Path privDer = Files.write(dir.resolve("priv.der"), pair.getPrivate().getEncoded());
        ModelRelease r = ReleaseSignatures.sign(release(), ReleaseSignatures.SigningKey.read(privDer));
        assertThat(ReleaseSignatures.TrustedKeys.read(List.of(der)).verify(r, true)).isEqualTo(key.keyId());
        assertThatThrownBy(() -> ReleaseSignatures.writeKeyPair(pair, dir)).hasMessageContaining("not overwriting");
    }

    @Test
    void aFileThatIsNoKeyIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.pub"), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        assertThatThrownBy(() -> ReleaseSignatures.readPublicKey(junk)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(junk.toString());
        assertThatThrownBy(() -> ReleaseSignatures.readPublicKey(dir.resolve("missing.pub")))
                .hasMessageContaining("missing.pub");
        Path pub = dir.resolve("pub.der");
        Files.write(pub, TRAINER.getPublic().getEncoded());
        assertThatThrownBy(() -> ReleaseSignatures.SigningKey.read(pub)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("private key").hasMessageContaining(pub.toString());
    }
}
