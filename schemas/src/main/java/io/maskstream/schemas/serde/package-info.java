/**
 * Avro serdes in the Confluent wire format (magic byte 0, 4-byte big-endian schema id, Avro binary),
 * backed by any registry that speaks the Confluent REST API (Apicurio's {@code /apis/ccompat/v7},
 * Confluent Schema Registry). Configuration keys are Confluent's, so Confluent's
 * {@code KafkaAvroSerializer} can replace {@link io.maskstream.schemas.serde.AvroSerializer} by
 * configuration alone, and any Confluent client can read what we write.
 */
package io.maskstream.schemas.serde;
