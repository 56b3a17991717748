package io.maskstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.releases.ReleaseSignatures;
import io.maskstream.runtime.config.ConfigException;
import io.maskstream.runtime.config.ConfigSource;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer's signing key is read at start-up; a file that is no private key stops it, naming the key and file. */
class TrainerSigningKeyTest {

    @Test
    void aSigningKeyFileIsCheckedAtStartUp(@TempDir Path dir) throws Exception {
        var pair = ReleaseSignatures.generateKeyPair();
        ReleaseSignatures.writeKeyPair(pair, dir);
        String priv = dir.resolve(ReleaseSignatures.PRIVATE_KEY_FILE).toString();
        String pub = dir.resolve(ReleaseSignatures.PUBLIC_KEY_FILE).toString();
        assertThat(new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.SIGNING_KEY, priv))).signingKey())
                .map(ReleaseSignatures.SigningKey::keyId).contains(ReleaseSignatures.keyId(pair.getPublic()));
        assertThat(new TrainerConfig(ConfigSource.of(Map.of())).signingKey()).isEmpty();
        assertThatThrownBy(() -> new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.SIGNING_KEY, pub))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(TrainerConfig.SIGNING_KEY).hasMessageContaining(pub);
    }
}
