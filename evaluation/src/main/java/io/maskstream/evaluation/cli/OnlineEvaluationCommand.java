package io.maskstream.evaluation.cli;

import io.maskstream.evaluation.EvaluationConfig;
import io.maskstream.evaluation.OnlineEvaluation;
import io.maskstream.runtime.ServiceRunner;
import io.maskstream.runtime.cli.ConfigOptions;
import io.maskstream.runtime.metrics.ProcessMetrics;
import io.micrometer.core.instrument.Metrics;
import java.util.concurrent.Callable;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code maskstream evaluate-online}: running macro-F1 per model version on live frames that have labels, agreement
 * with the active model, the release judge (shadow promotion, canary rollback), and drift alarms on all live frames.
 */
@Command(name = "evaluate-online", mixinStandardHelpOptions = true,
        description = "Join live and shadow classifications with labeled frames and with each other; expose a running "
                + "macro-F1 per model version (maskstream_evaluation_online_macro_f1) and its agreement with the active "
                + "model (maskstream_evaluation_online_agreement); promote a SHADOW release after its shadow period "
                + "(evaluation.shadow.promote) and roll back a CANARY whose live quality drops (evaluation.canary.*); "
                + "watch every live answer for drift from the serving release's training profile "
                + "(maskstream_evaluation_drift_psi, events on topic.drift), until Ctrl-C.")
public final class OnlineEvaluationCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @Override
    public Integer call() throws Exception {
        EvaluationConfig cfg = new EvaluationConfig(config.source());
        try (ServiceRunner runner = new ServiceRunner()) {
            OnlineEvaluation[] service = new OnlineEvaluation[1];
            ProcessMetrics metrics = runner.start(new ProcessMetrics(cfg,
                    () -> service[0] != null && service[0].state() == KafkaStreams.State.RUNNING));
            service[0] = runner.start(new OnlineEvaluation(cfg, Metrics.globalRegistry));
            if (metrics.url() != null) {
                System.out.println("metrics and health: " + metrics.url() + "/metrics, /health, /ready");
            }
            runner.awaitStop();
        }
        return 0;
    }
}
