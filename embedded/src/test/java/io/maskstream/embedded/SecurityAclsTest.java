package io.maskstream.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/** The README's ready ACL script is the one {@link SecurityAcls} makes from its table, and the table stays lean. */
class SecurityAclsTest {

    private static final String START = "<!-- ACL-SCRIPT:START (generated from SecurityAcls; SecurityAclsTest checks it) -->";
    private static final String END = "<!-- ACL-SCRIPT:END -->";

    @Test
    void theReadmeScriptIsTheOneMadeFromTheTable() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        assertThat(start).as("README marker %s", START).isNotNegative();
        assertThat(end).isGreaterThan(start);
        String block = readme.substring(start + START.length(), end);
        String script = block.substring(block.indexOf("```sh\n") + 6, block.lastIndexOf("```"));
        String expected = SecurityAcls.script(SecurityAcls.Names.defaults());
        assertThat(script).as("regenerate the README block from SecurityAcls.script(Names.defaults())").contains(expected);
    }

    @Test
    void noPrincipalGetsClusterRightsOrAnotherServicesGroupAndOnlyStreamsAppsCreateTopics() {
        var grants = SecurityAcls.grants(SecurityAcls.Names.defaults());
        assertThat(grants).noneMatch(g -> g.type() == ResourceType.CLUSTER);
        assertThat(grants).noneMatch(g -> g.operation() == AclOperation.ALL || g.operation() == AclOperation.ALTER
                || g.operation() == AclOperation.DELETE);
        assertThat(grants).filteredOn(g -> g.operation() == AclOperation.CREATE)
                .allMatch(g -> g.pattern() == PatternType.PREFIXED && g.name().startsWith("maskstream-"))
                .extracting(SecurityAcls.Grant::principal)
                .containsOnly(SecurityAcls.Principal.PROCESSOR, SecurityAcls.Principal.ALERTS);
        assertThat(grants).filteredOn(g -> g.principal() == SecurityAcls.Principal.CAMERA)
                .extracting(g -> g.name() + ":" + g.operation())
                .containsExactly("frames:WRITE", "frames:DESCRIBE_CONFIGS", "frames-dlq:WRITE");
        assertThat(grants).filteredOn(g -> g.principal() == SecurityAcls.Principal.DASHBOARD)
                .allMatch(g -> g.operation() == AclOperation.READ);
    }
}
