package io.maskstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ConfigDocsTest {

    @Test
    void referenceListsEveryServicesKeysOnce() {
        String md = ConfigCommand.markdown();
        assertThat(md).contains("### Common keys", "`bootstrap.servers`", "### processor", "`processor.max.batch.size`",
                "### stack", "`stack.kafka.port`", "`MASKSTREAM_PROCESSOR_MAX_BATCH_SIZE`");
        assertThat(md.split("\\| `bootstrap.servers` \\|", -1)).hasSize(2);
    }

    @Test
    void unknownKeyStopsACommandWithAMessageNamingIt() {
        CommandLine cmd = Main.commandLine();
        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err));
        int rc = cmd.execute("process", "--set", "processor.max.bach.size=4");
        assertThat(rc).isEqualTo(2);
        assertThat(err.toString()).contains("processor.max.bach.size").contains("processor.max.batch.size");
    }

    @Test
    void invalidValueStopsACommandWithAMessageNamingIt() {
        CommandLine cmd = Main.commandLine();
        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err));
        int rc = cmd.execute("process", "--set", "processor.max.batch.size=0");
        assertThat(rc).isEqualTo(2);
        assertThat(err.toString()).contains("processor.max.batch.size");
    }
}
