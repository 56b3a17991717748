package io.maskstream.schemas;

import io.maskstream.events.Alert;
import io.maskstream.events.Classification;
import io.maskstream.events.DeadLetter;
import io.maskstream.events.DriftEvent;
import io.maskstream.events.Frame;
import io.maskstream.events.LabeledFrame;
import io.maskstream.events.ModelArtifactChunk;
import io.maskstream.events.ModelRelease;
import io.maskstream.schemas.serde.SchemaRegistryClient;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * The compatibility policy of maskstream's schemas: every value subject is BACKWARD compatible, so a
 * consumer on the next schema version reads everything written with the current one (new fields must be
 * optional or have defaults). Applied when topics are created; the registry then enforces it.
 */
public final class SchemaPolicy {

    public static final String COMPATIBILITY = "BACKWARD";

    private SchemaPolicy() {
    }

    /** Subject → current schema for every topic. */
    public static Map<String, Schema> subjects(Topics topics) {
        Map<String, Schema> subjects = new LinkedHashMap<>();
        subjects.put(topics.frames().name() + "-value", Frame.getClassSchema());
        subjects.put(topics.labeledFrames().name() + "-value", LabeledFrame.getClassSchema());
        subjects.put(topics.classifications().name() + "-value", Classification.getClassSchema());
        subjects.put(topics.alerts().name() + "-value", Alert.getClassSchema());
        subjects.put(topics.drift().name() + "-value", DriftEvent.getClassSchema());
        subjects.put(topics.modelReleases().name() + "-value", ModelRelease.getClassSchema());
        subjects.put(topics.modelArtifacts().name() + "-value", ModelArtifactChunk.getClassSchema());
        for (String source : new String[] {topics.frames().name(), topics.labeledFrames().name(),
            topics.classifications().name()}) {
            subjects.put(topics.deadLetters(source).name() + "-value", DeadLetter.getClassSchema());
        }
        return subjects;
    }

    /** Registers the current schemas and sets each subject's compatibility to {@value #COMPATIBILITY}. */
    public static void apply(SchemaRegistryClient registry, Topics topics) {
        subjects(topics).forEach((subject, schema) -> {
            registry.register(subject, schema);
            registry.setCompatibility(subject, COMPATIBILITY);
        });
    }
}
