/**
 * The one-machine stack with real services and no Docker: a Kafka broker in KRaft mode in this JVM
 * ({@link io.maskstream.embedded.EmbeddedKafka}) and an Apicurio schema registry as a child process
 * ({@link io.maskstream.embedded.EmbeddedRegistry}), both bound to loopback by default and both
 * stopped with nothing left running. Integration tests use the same classes.
 */
package io.maskstream.embedded;
