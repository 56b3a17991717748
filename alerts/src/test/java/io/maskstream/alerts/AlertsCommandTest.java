package io.maskstream.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.alerts.cli.AlertsCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AlertsCommandTest {

    @Test
    void theCommandIsNamedAlertsAndTakesTheSharedConfigOptions() {
        CommandLine cli = new CommandLine(new AlertsCommand());
        assertThat(cli.getCommandName()).isEqualTo("alerts");
        assertThat(cli.getUsageMessage()).contains("--config", "--set");
    }

    @Test
    void anInvalidSettingStopsItBeforeItConnectsToAnything() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new AlertsCommand()).setErr(new PrintWriter(err));
        int code = cli.execute("--set", "alerts.k=20", "--set", "bootstrap.servers=127.0.0.1:1");
        assertThat(code).isNotZero();
        assertThat(err.toString()).contains("alerts.k");
    }
}
