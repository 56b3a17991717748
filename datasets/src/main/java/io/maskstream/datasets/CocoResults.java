package io.maskstream.datasets;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.maskstream.events.AgeBand;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes detection results in the COCO results format: a JSON list with one object per detected face,
 * {@code {"image_id", "category_id": 1, "bbox": [x, y, w, h], "score", "mask", "gender", "age_band", "class",
 * "track_id"}}. {@code category_id} is the face category of {@link CocoDataset#write}, so COCO tools (pycocotools'
 * {@code loadRes}) read the file as it is; the label fields are ours. The same list always gives the same bytes.
 */
public final class CocoResults {

    private CocoResults() {
    }

    /** The {@code age_band} value of a band: {@code <30}, {@code 30-59} or {@code >=60}. */
    public static String ageBandName(AgeBand band) {
        return switch (band) {
            case UNDER_30 -> "<30";
            case FROM_30_TO_59 -> "30-59";
            case FROM_60 -> ">=60";
        };
    }

    /** Writes {@code results}, in their order, to {@code file} (replacing it). */
    public static void write(Path file, List<CocoResult> results) throws IOException {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (CocoResult r : results) {
            ObjectNode o = list.addObject();
            o.put("image_id", r.imageId());
            o.put("category_id", 1);
            o.putArray("bbox").add(r.box().getX()).add(r.box().getY()).add(r.box().getWidth()).add(r.box().getHeight());
            o.put("score", r.score());
            o.put("mask", CocoDataset.maskName(r.mask()));
            o.put("gender", CocoDataset.genderName(r.gender()));
            o.put("age_band", ageBandName(r.ageBand()));
            o.put("class", r.classIndex());
            if (r.trackId() == null) {
                o.putNull("track_id");
            } else {
                o.put("track_id", r.trackId().longValue());
            }
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            CocoDataset.prettyWriter().writeValue(out, list);
        }
    }
}
