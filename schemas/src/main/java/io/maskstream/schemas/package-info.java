/**
 * The contract between maskstream's services and anyone else reading its topics: {@link io.maskstream.schemas.Topics}
 * names every topic with its key and value serdes; the Avro schemas live in {@code src/main/resources/avro/}
 * and generate the classes of {@code io.maskstream.events}; {@link io.maskstream.schemas.serde} writes and reads
 * them in the Confluent wire format through a schema registry.
 */
package io.maskstream.schemas;
