package io.maskstream.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** What every detector does after its network: keep the confident boxes and suppress overlapping ones. */
public final class Detections {

    private Detections() {
    }

    /**
     * Greedy non-maximum suppression: candidates by descending score; a box is kept unless it overlaps a kept one
     * by more than {@code settings.nmsIou()}; candidates under {@code settings.minScore()} are dropped; at most
     * {@code settings.maxFaces()} are kept.
     */
    public static List<Detection> suppress(List<Detection> candidates, DetectorSettings settings) {
        List<Detection> sorted = new ArrayList<>(candidates.size());
        for (Detection d : candidates) {
            if (d.score() >= settings.minScore() && d.box().area() > 0) {
                sorted.add(d);
            }
        }
        sorted.sort(Comparator.comparingDouble(Detection::score).reversed());
        List<Detection> kept = new ArrayList<>();
        for (Detection d : sorted) {
            boolean overlaps = false;
            for (Detection k : kept) {
                if (k.box().iou(d.box()) > settings.nmsIou()) {
                    overlaps = true;
                    break;
                }
            }
            if (!overlaps) {
                kept.add(d);
                if (kept.size() == settings.maxFaces()) {
                    break;
                }
            }
        }
        return kept;
    }
}
