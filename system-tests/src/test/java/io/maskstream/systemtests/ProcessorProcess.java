package io.maskstream.systemtests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A stream processor in a JVM of its own, started the way an operator starts one
 * ({@code maskstream process --config FILE}, i.e. {@code io.maskstream.app.Main}), so a test can kill it with
 * SIGKILL: no shutdown hook, no close, no final commit runs.
 */
final class ProcessorProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private ProcessorProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code maskstream process --config configFile}, output to {@code log}, and waits until it has started. */
    static ProcessorProcess start(Path configFile, Path log, Duration timeout) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Xmx512m", "-XX:+UseSerialGC", "-Dai.djl.offline=true",
                "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"), "io.maskstream.app.Main",
                "process", "--config", configFile.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ProcessorProcess processor = new ProcessorProcess(p, log);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            if (text.contains("Stream processor") && text.contains(" started: ")) {
                return processor;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("processor exited with " + p.exitValue() + ": " + text);
            }
            Thread.sleep(100);
        }
        processor.close();
        throw new IllegalStateException("processor did not start within " + timeout + ": "
                + String.join("\n", processor.logLines()));
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL, and waits until the process is gone; returns its exit status (137 = killed by signal 9). */
    int kill() throws InterruptedException {
        process.destroyForcibly(); // SIGKILL on Linux
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("processor " + process.pid() + " survived SIGKILL");
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    List<String> logLines() {
        try {
            // leniently: a log holding binary garbage must still be readable, to be reported by the privacy check
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the log has a line containing {@code text}. */
    boolean logged(String text) {
        return logLines().stream().anyMatch(l -> l.contains(text));
    }

    /** A clean stop (SIGTERM: the shutdown hook closes the processor). */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(40, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Asserts that no log line of any of {@code processors} carries bytes of {@code images}, in any form. */
    static void assertNoImageBytesInLogs(List<ProcessorProcess> processors, List<byte[]> images) {
        for (ProcessorProcess p : processors) {
            org.assertj.core.api.Assertions.assertThat(ImageLeaks.suspiciousLines(p.logLines(), ImageLeaks.fingerprints(images)))
                    .as("image bytes in the log of processor %s", p.log()).isEmpty();
        }
    }
}
