package io.maskstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** README's configuration reference is generated from the ConfigDefs and must not drift from them. */
class ReadmeConfigReferenceTest {

    @Test
    void readmeReferenceMatchesTheCode() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        assertThat(ConfigCommand.withReference(readme))
                .as("README.md's configuration reference is stale: run bin/maskstream config docs --update README.md")
                .isEqualTo(readme);
    }
}
