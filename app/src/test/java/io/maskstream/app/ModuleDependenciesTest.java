package io.maskstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** README's module dependency table is what the poms say, and model stays free of Kafka, Avro and schemas. */
class ModuleDependenciesTest {

    private static final Pattern DEPENDENCY = Pattern.compile(
            "<dependency><groupId>([\\w.-]+)</groupId><artifactId>([\\w.-]+)</artifactId>(.*?)</dependency>");

    static Map<String, List<String>> fromPoms(Path root, List<String> modules) throws Exception {
        Map<String, List<String>> deps = new LinkedHashMap<>();
        for (String m : modules) {
            List<String> own = new ArrayList<>();
            Matcher d = DEPENDENCY.matcher(Files.readString(root.resolve(m).resolve("pom.xml")));
            while (d.find()) {
                if (d.group(1).equals("io.maskstream") && !d.group(3).contains("<scope>test</scope>")) {
                    own.add(d.group(2));
                }
            }
            deps.put(m, own);
        }
        return deps;
    }

    @Test
    void theReadmeTableIsWhatThePomsSay() throws Exception {
        Path root = Path.of("..");
        String readme = Files.readString(root.resolve("README.md"));
        String table = readme.substring(readme.indexOf("| module | depends on |"));
        table = table.substring(0, table.indexOf("\n\n"));
        Map<String, List<String>> documented = new LinkedHashMap<>();
        Matcher row = Pattern.compile("\\| `([\\w-]+)` \\| ([^|]*) \\|").matcher(table);
        while (row.find()) {
            List<String> names = new ArrayList<>();
            for (String part : row.group(2).split(",")) {
                String name = part.trim();
                if (name.matches("[a-z-]+")) {
                    names.add(name);
                }
            }
            documented.put(row.group(1), names);
        }
        assertThat(documented.keySet()).as("every module of the root pom").containsExactlyElementsOf(modules(root));
        assertThat(documented).isEqualTo(fromPoms(root, modules(root)));
    }

    @Test
    void modelHasNoKafkaAvroOrSchemasDependency() throws Exception {
        String pom = Files.readString(Path.of("..", "model", "pom.xml"));
        Matcher d = DEPENDENCY.matcher(pom);
        while (d.find()) {
            if (!d.group(3).contains("<scope>test</scope>")) {
                assertThat(d.group(2)).doesNotContain("kafka").doesNotContain("avro").isNotIn("schemas", "runtime",
                        "releases");
            }
        }
    }

    private static List<String> modules(Path root) throws Exception {
        List<String> modules = new ArrayList<>();
        Matcher m = Pattern.compile("<module>([\\w-]+)</module>").matcher(Files.readString(root.resolve("pom.xml")));
        while (m.find()) {
            modules.add(m.group(1));
        }
        return modules;
    }
}
