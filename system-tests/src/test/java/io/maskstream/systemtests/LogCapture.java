package io.maskstream.systemtests;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.LoggerFactory;

/**
 * Every log line of this JVM while open (message, arguments formatted, and the stack traces with their messages),
 * with maskstream's own loggers at DEBUG, so a privacy check reads all a run says, not only what is shown.
 */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    private final Logger root;
    private final Logger maskstream;
    private final Level maskstreamLevel;

    LogCapture() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        setContext(context);
        setName("privacy-capture");
        root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        maskstream = context.getLogger("io.maskstream");
        maskstreamLevel = maskstream.getLevel();
        maskstream.setLevel(Level.DEBUG);
        start();
        root.addAppender(this);
    }

    @Override
    protected void append(ILoggingEvent event) {
        StringBuilder b = new StringBuilder();
        b.append(event.getLevel()).append(' ').append(event.getLoggerName()).append(" - ").append(event.getFormattedMessage());
        if (event.getThrowableProxy() != null) {
            b.append('\n').append(ThrowableProxyUtil.asString(event.getThrowableProxy()));
        }
        lines.add(b.toString());
    }

    /** Every captured line (a line with a stack trace spans several text lines). */
    List<String> lines() {
        return new ArrayList<>(lines);
    }

    @Override
    public void close() {
        root.detachAppender(this);
        maskstream.setLevel(maskstreamLevel);
        stop();
    }
}
