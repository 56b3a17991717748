package io.maskstream.releases;

import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseSignature;
import io.maskstream.model.InvalidModelException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Who vouches for a model release: Ed25519 signatures (the JDK's, nothing else) over a release's canonical bytes.
 *
 * <p>The SHA-256 a release carries proves the artifact is the one the release names; the signature proves a holder of
 * the trainer's key named it. What is signed is what decides what runs: {@code version}, {@code architecture},
 * {@code inputWidth}, {@code inputHeight}, {@code sha256} (lower-cased) and {@code artifactBytes}
 * ({@link #canonicalBytes}). Not signed: {@code status} and {@code statusTime} (promotion and rollback change them
 * without the trainer's key), {@code notes}, {@code metrics}, {@code trainingData}, {@code createdTime},
 * {@code artifactDeletedTime}, and {@code artifactUri}: the URI only says where the bytes are, the signed SHA-256 and
 * size say which bytes, and the processor refuses any others, so an artifact may be re-hosted without re-signing.
 *
 * <p>Keys: private keys are PKCS#8, public keys X.509 SubjectPublicKeyInfo, each as PEM or DER. A key id is the first 16
 * hex digits of the SHA-256 of the public key's X.509 encoding.
 */
public final class ReleaseSignatures {

    public static final String ALGORITHM = "Ed25519";
    /** Names the format of {@link #canonicalBytes}, so these bytes never verify as anything else. */
    private static final String DOMAIN = "maskstream-model-release-signature-v1";
    /** File names {@link #writeKeyPair} uses. */
    public static final String PRIVATE_KEY_FILE = "release-signing.key";
    public static final String PUBLIC_KEY_FILE = "release-signing.pub";

    private ReleaseSignatures() {
    }

    /**
     * The bytes a signature covers: the domain string, then version, architecture, input width, input height,
     * sha256 (lower case) and artifact size, strings as 4-byte length + UTF-8, numbers big-endian.
     */
    public static byte[] canonicalBytes(ModelRelease release) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            string(out, DOMAIN);
            string(out, release.getVersion());
            string(out, release.getArchitecture());
            out.writeInt(release.getInputWidth());
            out.writeInt(release.getInputHeight());
            string(out, release.getSha256().toLowerCase(Locale.ROOT));
            out.writeLong(release.getArtifactBytes());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    /** A copy of {@code release} signed with {@code key} (any earlier signature replaced). */
    public static ModelRelease sign(ModelRelease release, SigningKey key) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key.privateKey());
            s.update(canonicalBytes(release));
            ReleaseSignature signature = ReleaseSignature.newBuilder().setKeyId(key.keyId()).setAlgorithm(ALGORITHM)
                    .setValue(ByteBuffer.wrap(s.sign())).build();
            return ModelRelease.newBuilder(release).setSignature(signature).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot sign release " + release.getVersion() + ": " + e, e);
        }
    }

    /** First 16 hex digits of the SHA-256 of the key's X.509 encoding. */
    public static String keyId(PublicKey key) {
        return Sha256.hex(key.getEncoded()).substring(0, 16);
    }

    /** A new Ed25519 key pair. */
    public static KeyPair generateKeyPair() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes {@value #PRIVATE_KEY_FILE} (PKCS#8 PEM, readable by its owner only where the file system allows) and
     * {@value #PUBLIC_KEY_FILE} (X.509 PEM) into {@code dir}; refuses to overwrite either.
     */
    public static void writeKeyPair(KeyPair pair, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path priv = dir.resolve(PRIVATE_KEY_FILE);
        Path pub = dir.resolve(PUBLIC_KEY_FILE);
        for (Path p : List.of(priv, pub)) {
            if (Files.exists(p)) {
                throw new IOException(p + " exists; not overwriting a key");
            }
        }
        Files.createFile(priv);
        try {
            Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the operator protects the file
        }
        Files.writeString(priv, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        Files.writeString(pub, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The PEM body or the DER bytes of a key file. */
    private static byte[] keyBytes(Path file) throws IOException {
        byte[] raw = Files.readAllBytes(file);
        String text = new String(raw, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN")) {
            return raw;
        }
        StringBuilder body = new StringBuilder();
        for (String line : text.split("\\R")) {
            if (!line.startsWith("-----") && !line.isBlank()) {
                body.append(line.trim());
            }
        }
        return Base64.getDecoder().decode(body.toString());
    }

    /**
     * Reads an Ed25519 public key (X.509 SubjectPublicKeyInfo, PEM or DER).
     *
     * @throws IllegalArgumentException naming the file, when it is missing or not such a key
     */
    public static PublicKey readPublicKey(Path file) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(keyBytes(file)));
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("Cannot read an Ed25519 public key (X.509 PEM or DER) from " + file + ": "
                    + e.getMessage(), e);
        }
    }

    /** A private key with its public half and key id, ready to sign releases. */
    public record SigningKey(PrivateKey privateKey, PublicKey publicKey, String keyId) {

        /**
         * Reads an Ed25519 private key (PKCS#8, PEM or DER) and derives its public key (and so its key id).
         *
         * @throws IllegalArgumentException naming the file, when it is missing or not such a key
         */
        public static SigningKey read(Path file) {
            PrivateKey key;
            try {
                key = KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(keyBytes(file)));
            } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
                throw new IllegalArgumentException("Cannot read an Ed25519 private key (PKCS#8 PEM or DER) from " + file
                        + ": " + e.getMessage(), e);
            }
            return of(key);
        }

        public static SigningKey of(KeyPair pair) {
            return new SigningKey(pair.getPrivate(), pair.getPublic(), ReleaseSignatures.keyId(pair.getPublic()));
        }

        /** The signing key for a private key alone: the JDK has no call for its public key, so it is derived. */
        static SigningKey of(PrivateKey key) {
            PublicKey pub = derivePublic(key);
            return new SigningKey(key, pub, ReleaseSignatures.keyId(pub));
        }
    }

    /**
     * The public key of an Ed25519 private key. The JDK's generator makes a pair from 32 random bytes; fed the
     * private key's bytes as its randomness, it makes that key's pair. A probe signature checks the result.
     */
    private static PublicKey derivePublic(PrivateKey key) {
        byte[] seed = ((EdECPrivateKey) key).getBytes()
                .orElseThrow(() -> new IllegalArgumentException("the private key's bytes are not available"));
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
            generator.initialize(255, new SecureRandom() {
                private static final long serialVersionUID = 1L;

                @Override
                public void nextBytes(byte[] bytes) {
                    System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
                }
            });
            PublicKey pub = generator.generateKeyPair().getPublic();
            byte[] probe = DOMAIN.getBytes(StandardCharsets.UTF_8);
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key);
            s.update(probe);
            if (!verifies(pub, probe, s.sign())) {
                throw new IllegalStateException("could not derive the public key of an Ed25519 private key on this JDK");
            }
            return pub;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean verifies(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (java.security.SignatureException e) {
            return false; // malformed signature bytes
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public keys a processor (or an operator) trusts, by key id; several at once is how keys are rotated. */
    public static final class TrustedKeys {
        private final Map<String, PublicKey> keys = new LinkedHashMap<>();

        private TrustedKeys(Collection<PublicKey> keys) {
            keys.forEach(k -> this.keys.put(keyId(k), k));
        }

        public static TrustedKeys of(Collection<PublicKey> keys) {
            return new TrustedKeys(keys);
        }

        /** Reads every file ({@link #readPublicKey}); throws naming the first that is not a key. */
        public static TrustedKeys read(Collection<Path> files) {
            return new TrustedKeys(files.stream().map(ReleaseSignatures::readPublicKey).toList());
        }

        public boolean isEmpty() {
            return keys.isEmpty();
        }

        public Set<String> keyIds() {
            return keys.keySet();
        }

        /**
         * Checks who signed {@code release}; returns the key id that verified it, or null for an unsigned release when
         * none is required.
         *
         * @throws InvalidModelException {@code UNSIGNED} (unsigned, and a signature is required),
         *                               {@code UNTRUSTED_SIGNATURE} (signed by a key not trusted here) or
         *                               {@code BAD_SIGNATURE} (the signature does not verify: forged, or a signed field
         *                               changed after signing)
         */
        public String verify(ModelRelease release, boolean requireSignature) throws InvalidModelException {
            ReleaseSignature signature = release.getSignature();
            if (signature == null) {
                if (requireSignature) {
                    throw new InvalidModelException(InvalidModelException.Reason.UNSIGNED, "Release " + release.getVersion()
                            + " is unsigned and a signature by a trusted key " + keys.keySet() + " is required");
                }
                return null;
            }
            PublicKey key = keys.get(signature.getKeyId());
            if (key == null) {
                throw new InvalidModelException(InvalidModelException.Reason.UNTRUSTED_SIGNATURE, "Release "
                        + release.getVersion() + " is signed by key " + signature.getKeyId()
                        + ", which is not among the trusted keys " + keys.keySet());
            }
            ByteBuffer value = signature.getValue().duplicate();
            byte[] bytes = new byte[value.remaining()];
            value.get(bytes);
            if (!ALGORITHM.equals(signature.getAlgorithm()) || !verifies(key, canonicalBytes(release), bytes)) {
                throw new InvalidModelException(InvalidModelException.Reason.BAD_SIGNATURE, "Release "
                        + release.getVersion() + " carries an " + signature.getAlgorithm() + " signature by key "
                        + signature.getKeyId() + " that does not verify: forged, or its version, architecture, input "
                        + "size, sha256 or size changed after signing");
            }
            return signature.getKeyId();
        }
    }
}
