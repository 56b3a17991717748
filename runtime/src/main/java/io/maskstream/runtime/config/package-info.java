/**
 * Typed configuration for every service, built on Kafka's {@link org.apache.kafka.common.config.ConfigDef}:
 * each key has a type, a default, a validator and a doc string. Values come, in rising precedence, from
 * the defaults, a properties file, {@code MASKSTREAM_*} environment variables and explicit overrides.
 * Keys under {@code kafka.} are handed to the Kafka clients untouched (SASL, SSL, tuning).
 */
package io.maskstream.runtime.config;
