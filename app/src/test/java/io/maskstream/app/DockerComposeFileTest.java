package io.maskstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.runtime.config.ServiceConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docker-compose.yml is valid for docker-compose (no engine needed) and only sets keys maskstream knows. */
class DockerComposeFileTest {

    static final Path COMPOSE = Path.of("..", "docker-compose.yml").toAbsolutePath().normalize();

    @Test
    void composeFileValidatesWithDockerCompose() throws Exception {
        Process p = new ProcessBuilder("docker-compose", "-f", COMPOSE.toString(), "config", "--services")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out.lines()).contains("kafka", "schema-registry", "topics", "processor", "alerts", "cameras");
    }

    @Test
    void everyMaskstreamVariableInTheComposeFileIsAKnownKey() throws Exception {
        Matcher m = Pattern.compile("\\b(MASKSTREAM_[A-Z0-9_]+):").matcher(Files.readString(COMPOSE));
        Set<String> unknown = new TreeSet<>();
        Set<String> known = ServiceConfig.knownKeys();
        int seen = 0;
        while (m.find()) {
            seen++;
            String key = ConfigSource.keyForEnvironmentVariable(m.group(1));
            if (!known.contains(key) && !key.startsWith("kafka.")) {
                unknown.add(m.group(1));
            }
        }
        assertThat(seen).isGreaterThan(3);
        assertThat(unknown).isEmpty();
    }
}
