#!/usr/bin/python3
"""Reads a topic with Confluent's own Python client and decodes each value with its legacy Avro
module (confluent_kafka.avro), which fetches the writer's schema from the registry by id.
Prints one JSON object per record: {"key": ..., "value": {...}}. Exits non-zero on any failure."""
import json
import sys

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.avro import CachedSchemaRegistryClient
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer


def plain(value):
    if isinstance(value, bytes):
        return {"bytes": len(value)}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return int(value.timestamp() * 1000)
    return value


def main():
    bootstrap, registry_url, topic, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    serializer = MessageSerializer(CachedSchemaRegistryClient({"url": registry_url}))
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "python-interop",
                         "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, 0)])
    got = 0
    idle = 0
    while got < expected and idle < 100:
        msg = consumer.poll(0.2)
        if msg is None:
            idle += 1
            continue
        if msg.error():
            raise SystemExit("consumer error: %s" % msg.error())
        value = serializer.decode_message(msg.value())
        print(json.dumps({"key": msg.key().decode("utf-8"), "value": plain(value)}, sort_keys=True))
        got += 1
    consumer.close()
    if got < expected:
        raise SystemExit("only %d of %d records read" % (got, expected))


if __name__ == "__main__":
    main()
