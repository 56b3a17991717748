package io.maskstream.schemas;

import org.apache.kafka.common.serialization.Serde;

/** A topic's name with the serdes of its keys and values: the typed handle every service uses. */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
}
