package io.maskstream.runtime.config;

/** A configuration problem found at start-up; the message always names the key (or variable) at fault. */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
