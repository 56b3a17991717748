package io.maskstream.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * One real broker and one real schema registry per test JVM, started on first use on free loopback
 * ports and stopped when the JVM exits. Test classes share it, so each uses its own topic names.
 */
public final class SharedTestStack {

    private static EmbeddedStack stack;

    private SharedTestStack() {
    }

    /** The running stack, started if needed. */
    public static synchronized EmbeddedStack get() {
        if (stack == null) {
            try {
                Path dir = Files.createTempDirectory("maskstream-test-stack");
                EmbeddedStack s = new EmbeddedStack(dir, "127.0.0.1", 0, 0, Map.of());
                s.start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    s.close();
                    s.kafka().deleteData();
                }, "test-stack-shutdown"));
                stack = s;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (Exception e) {
                throw new IllegalStateException("Could not start the test stack: " + e.getMessage(), e);
            }
        }
        return stack;
    }
}
