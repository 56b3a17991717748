/**
 * What every maskstream Kafka Streams application runs on: static membership with stable transactional ids, standby
 * replicas and a clean leave on stop ({@link io.maskstream.runtime.streams.StreamsMembership}), and a client that is
 * restarted whole when a stream thread fails ({@link io.maskstream.runtime.streams.SupervisedStreams}).
 */
package io.maskstream.runtime.streams;
