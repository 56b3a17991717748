package io.maskstream.evaluation;

import io.maskstream.evaluation.metrics.Confusion;
import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseStatus;
import io.maskstream.releases.ReleaseLog;
import io.maskstream.releases.ReleaseTransitions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Decides, from the releases' latest states and the live figures, which trial releases change status:
 * <ul>
 *   <li>a SHADOW release is promoted (ACTIVE, the active one RETIRED) when {@code evaluation.shadow.promote} is on and,
 *   over at least {@code evaluation.shadow.min.frames} labeled frames that it and the active model both answered, its
 *   macro-F1 is at least the active model's on those same frames plus {@code evaluation.shadow.margin}; at most one
 *   promotion per judgement (the largest lead wins), and a shadow that is not good enough stays SHADOW;</li>
 *   <li>a CANARY release is rolled back (RETIRED) when {@code evaluation.canary.rollback} is on and its agreement with
 *   the active model over at least {@code evaluation.canary.min.frames} frames both answered is below
 *   {@code evaluation.canary.min.agreement}, or its macro-F1 over at least that many labeled frames is below
 *   {@code evaluation.canary.min.f1}.</li>
 * </ul>
 * A judgement is a pure function of its inputs; each verdict carries the status records to publish, built by
 * {@link ReleaseTransitions} from the same release states, so a judgement on the re-read topic after a verdict was
 * published (a restarted judge) finds the release no longer on trial and yields no second verdict for it. Notes say
 * why, with the figures and frame counts.
 */
public final class ReleaseJudge {

    /** What happens to a trial release. */
    public enum Action { PROMOTE, ROLL_BACK }

    /** One decision: the release, what happens to it, why, and the records that do it (in publishing order). */
    public record Verdict(String version, Action action, String notes, List<ModelRelease> records) {
    }

    private final boolean promote;
    private final int shadowMinFrames;
    private final double margin;
    private final boolean rollback;
    private final int canaryMinFrames;
    private final double minF1;
    private final double minAgreement;

    public ReleaseJudge(EvaluationConfig config) {
        this.promote = config.getBoolean(EvaluationConfig.SHADOW_PROMOTE);
        this.shadowMinFrames = config.getInt(EvaluationConfig.SHADOW_MIN_FRAMES);
        this.margin = config.getDouble(EvaluationConfig.SHADOW_MARGIN);
        this.rollback = config.getBoolean(EvaluationConfig.CANARY_ROLLBACK);
        this.canaryMinFrames = config.getInt(EvaluationConfig.CANARY_MIN_FRAMES);
        this.minF1 = config.getDouble(EvaluationConfig.CANARY_MIN_F1);
        this.minAgreement = config.getDouble(EvaluationConfig.CANARY_MIN_AGREEMENT);
    }

    /** The verdicts on {@code releases} (every version's latest state) given {@code quality}; empty when nothing changes. */
    public List<Verdict> judge(Map<String, ModelRelease> releases, LiveQuality quality) {
        Optional<ModelRelease> active = ReleaseLog.active(releases.values());
        List<Verdict> verdicts = new ArrayList<>();
        if (active.isEmpty()) {
            return verdicts; // nothing to compare with
        }
        String activeVersion = active.get().getVersion();
        for (ModelRelease r : releases.values()) {
            if (rollback && r.getStatus() == ReleaseStatus.CANARY) {
                canaryVerdict(releases, r.getVersion(), quality.compare(r.getVersion(), activeVersion),
                        quality.confusion(r.getVersion())).ifPresent(verdicts::add);
            }
        }
        if (promote) {
            releases.values().stream().filter(r -> r.getStatus() == ReleaseStatus.SHADOW)
                    .map(r -> quality.compare(r.getVersion(), activeVersion))
                    .filter(c -> c.labeledFrames() >= shadowMinFrames
                            && c.versionOnShared().macroF1() >= c.otherOnShared().macroF1() + margin)
                    .max(Comparator.comparingDouble(c -> c.versionOnShared().macroF1() - c.otherOnShared().macroF1()))
                    .ifPresent(c -> {
                        String notes = String.format(Locale.ROOT, "promoted after its shadow period by the online evaluation: "
                                        + "live macro-F1 %.4f vs active %s %.4f on the same %d labeled frames (lead %+.4f >= "
                                        + "%s %.4f); agreement %s",
                                c.versionOnShared().macroF1(), activeVersion, c.otherOnShared().macroF1(), c.labeledFrames(),
                                c.versionOnShared().macroF1() - c.otherOnShared().macroF1(), EvaluationConfig.SHADOW_MARGIN,
                                margin, agreement(c));
                        verdicts.add(new Verdict(c.version(), Action.PROMOTE, notes,
                                ReleaseTransitions.activate(releases, c.version(), notes)));
                    });
        }
        return verdicts;
    }

    private Optional<Verdict> canaryVerdict(Map<String, ModelRelease> releases, String version, LiveQuality.Comparison c,
                                            Confusion own) {
        List<String> reasons = new ArrayList<>();
        if (minAgreement > 0 && c.agreementFrames() >= canaryMinFrames && c.agreement() < minAgreement) {
            reasons.add(String.format(Locale.ROOT, "agreement with active %s %.4f over %d frames < %s %.4f", c.other(),
                    c.agreement(), c.agreementFrames(), EvaluationConfig.CANARY_MIN_AGREEMENT, minAgreement));
        }
        if (minF1 > 0 && own.total() >= canaryMinFrames && own.macroF1() < minF1) {
            reasons.add(String.format(Locale.ROOT, "live macro-F1 %.4f over %d labeled frames < %s %.4f", own.macroF1(),
                    own.total(), EvaluationConfig.CANARY_MIN_F1, minF1));
        }
        if (reasons.isEmpty()) {
            return Optional.empty();
        }
        String notes = String.format(Locale.ROOT, "canary rolled back by the online evaluation: %s (live macro-F1 %s; "
                        + "agreement %s; active %s on the same labeled frames %s)", String.join("; ", reasons),
                own.total() == 0 ? "- (no labeled frames)" : String.format(Locale.ROOT, "%.4f over %d labeled frames",
                        own.macroF1(), own.total()), agreement(c), c.other(),
                c.labeledFrames() == 0 ? "-" : String.format(Locale.ROOT, "%.4f vs %.4f over %d", c.otherOnShared().macroF1(),
                        c.versionOnShared().macroF1(), c.labeledFrames()));
        List<ModelRelease> records = ReleaseTransitions.retireTrial(releases, version, notes);
        return records.isEmpty() ? Optional.empty() : Optional.of(new Verdict(version, Action.ROLL_BACK, notes, records));
    }

    private static String agreement(LiveQuality.Comparison c) {
        return c.agreementFrames() == 0 ? "- (no shared frames)"
                : String.format(Locale.ROOT, "%.4f over %d frames", c.agreement(), c.agreementFrames());
    }
}
