package io.maskstream.model;

import static io.maskstream.model.ModelBundleTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.maskstream.model.InvalidModelException.Reason;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EnsembleClassifierTest {

    private static final ComputeSettings CPU = new ComputeSettings("auto", 1, 0);
    private static ModelBundle a;
    private static ModelBundle b;
    private static ModelBundle c;
    private static ModelBundle soft;
    private static List<PreparedImage> photos;

    @BeforeAll
    static void bundles() throws Exception {
        a = ModelBundle.untrained(Architectures.FASTNET, HeadLayout.MULTI_HEAD, "m-a", 1);
        b = ModelBundle.untrained(Architectures.FASTNET, HeadLayout.MULTI_HEAD, "m-b", 2);
        c = ModelBundle.untrained(Architectures.FASTNET, HeadLayout.SINGLE_18, "m-c", 3);
        soft = ModelBundle.ensemble("ens-soft", EnsembleVote.SOFT, List.of(a, b));
        ImagePreprocessor pre = new ImagePreprocessor(a.metadata().input(), ImageLimits.defaults());
        photos = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            photos.add(pre.prepare(TestImages.jpeg(TestImages.scene(384, 512, 200 + i))));
        }
    }

    @AfterAll
    static void done() {
        photos = null;
    }

    @Test
    void ensembleBundleReadsBackWithEveryMemberItsVersionAndVote() throws Exception {
        ModelBundle read = ModelBundle.read(soft.toBytes());

        assertThat(read.toBytes()).isEqualTo(soft.toBytes());
        assertThat(read.isEnsemble()).isTrue();
        assertThat(read.vote()).contains(EnsembleVote.SOFT);
        assertThat(read.metadata().architecture()).isEqualTo(Architectures.ENSEMBLE);
        assertThat(read.metadata().heads()).isEqualTo(HeadLayout.MULTI_HEAD);
        assertThat(read.members()).extracting(m -> m.metadata().version()).containsExactly("m-a", "m-b");
        assertThat(read.members()).extracting(ModelBundle::sha256).containsExactly(a.sha256(), b.sha256());
        assertThat(read.metadata().trainingSummary()).containsEntry(ModelBundle.ENSEMBLE_VOTE_KEY, "soft")
                .containsEntry(ModelBundle.ENSEMBLE_MEMBERS_KEY, "m-a,m-b");
        assertThat(ModelBundle.ensemble("ens-soft", EnsembleVote.SOFT, List.of(a, b)).toBytes())
                .as("same members and vote, same bytes").isEqualTo(soft.toBytes());
        assertThat(read.withVersion("ens-2").members()).hasSize(2);
        assertThat(ModelBundle.read(read.withVersion("ens-2").toBytes()).metadata().version()).isEqualTo("ens-2");
        assertThat(ModelBundle.ensemble("h", EnsembleVote.HARD, List.of(a, b)).metadata().heads())
                .isEqualTo(HeadLayout.SINGLE_18);
        assertThat(ModelBundle.ensemble("s", EnsembleVote.SOFT, List.of(a, c)).metadata().heads())
                .isEqualTo(HeadLayout.SINGLE_18);
    }

    @Test
    void softEnsembleServesTheMeanOfItsMembersWithTheirSpread() throws Exception {
        List<Prediction> pa;
        List<Prediction> pb;
        try (BatchClassifier ma = Classifiers.load(a, CPU); BatchClassifier mb = Classifiers.load(b, CPU)) {
            assertThat(ma).isInstanceOf(Classifier.class);
            pa = ma.classify(photos, false);
            pb = mb.classify(photos, false);
        }
        List<Prediction> ensemble;
        try (BatchClassifier e = Classifiers.load(ModelBundle.read(soft.toBytes()), CPU)) {
            assertThat(e).isInstanceOf(EnsembleClassifier.class);
            assertThat(e.version()).isEqualTo("ens-soft");
            ensemble = e.classify(photos, false);
            e.close();
            assertThatThrownBy(() -> e.classify(photos, false)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("ensemble ens-soft is closed");
        }
        assertThat(ensemble).hasSize(photos.size());
        for (int i = 0; i < photos.size(); i++) {
            Prediction p = ensemble.get(i);
            for (int k = 0; k < 3; k++) {
                assertThat(p.mask()[k]).isCloseTo((pa.get(i).mask()[k] + pb.get(i).mask()[k]) / 2, within(1e-5f));
                assertThat(p.age()[k]).isCloseTo((pa.get(i).age()[k] + pb.get(i).age()[k]) / 2, within(1e-5f));
            }
            assertThat(p.classCode()).as("multi-head: the class is the triple of the head labels")
                    .isEqualTo(LabelCodec.classCode(p.maskLabel(), p.genderLabel(), p.ageLabel()));
            assertThat(p.uncertainty()).isEqualTo(Uncertainty.of(Uncertainty.ENSEMBLE, List.of(pa.get(i), pb.get(i)), p));
            assertThat(p.uncertainty().passes()).isEqualTo(2);
        }
    }

    @Test
    void votesAreComputedAsDocumented() {
        Prediction x = Outputs.fromClasses(oneHotish(4, 0.6f));
        Prediction y = Outputs.fromClasses(oneHotish(4, 0.9f));
        Prediction z = Outputs.fromClasses(oneHotish(11, 0.99f));

        Prediction hard = EnsembleClassifier.combine(EnsembleVote.HARD, List.of(x, y, z), HeadLayout.SINGLE_18);
        assertThat(hard.classCode()).as("2 of 3 say class 4, however sure the third is").isEqualTo(4);
        assertThat(sum(hard.classes())).isCloseTo(1f, within(1e-5f));
        assertThat(hard.classes()[4]).isGreaterThan(0.5f).isLessThan(2 / 3f + 0.01f);

        Prediction soft = EnsembleClassifier.combine(EnsembleVote.SOFT, List.of(x, z), HeadLayout.SINGLE_18);
        assertThat(soft.classCode()).as("the mean of 0.6/0.99 favours class 11").isEqualTo(11);
        assertThat(soft.classes()[11]).isCloseTo((x.classes()[11] + z.classes()[11]) / 2, within(1e-6f));

        Prediction tie = EnsembleClassifier.combine(EnsembleVote.HARD, List.of(x, z), HeadLayout.SINGLE_18);
        assertThat(tie.classCode()).as("one vote each: the soft mean breaks the tie").isEqualTo(11);
        Prediction tieOther = EnsembleClassifier.combine(EnsembleVote.HARD, List.of(y, Outputs.fromClasses(oneHotish(11, 0.5f))),
                HeadLayout.SINGLE_18);
        assertThat(tieOther.classCode()).isEqualTo(4);

        Prediction heads = EnsembleClassifier.combine(EnsembleVote.SOFT, List.of(
                Outputs.fromHeads(new float[] {0.8f, 0.1f, 0.1f}, new float[] {0.3f, 0.7f}, new float[] {0.2f, 0.5f, 0.3f}),
                Outputs.fromHeads(new float[] {0.2f, 0.7f, 0.1f}, new float[] {0.5f, 0.5f}, new float[] {0.2f, 0.1f, 0.7f})),
                HeadLayout.MULTI_HEAD);
        assertThat(heads.mask()).containsExactly(new float[] {0.5f, 0.4f, 0.1f}, within(1e-6f));
        assertThat(heads.classes()[LabelCodec.classCode(MaskLabel.values()[0], GenderLabel.values()[1], AgeLabel.values()[2])])
                .as("classes = product of the averaged heads").isCloseTo(0.5f * 0.6f * 0.5f, within(1e-6f));
    }

    @Test
    void anEnsembleWithACorruptMemberIsRefusedNamingTheMember() throws Exception {
        assertRefused(() -> ModelBundle.read(BadBundles.ensembleWithMember("ens-x", "bad-m1",
                BadBundles.alteredWeights("bad-m1"))), Reason.CHECKSUM_MISMATCH, "ensemble ens-x: member 1 (bad-m1");
        assertRefused(() -> ModelBundle.read(BadBundles.ensembleWithMember("ens-x", "bad-m1",
                BadBundles.unknownArchitecture("bad-m1"))), Reason.UNKNOWN_ARCHITECTURE, "member 1 (bad-m1");
        assertRefused(() -> ModelBundle.read(BadBundles.ensembleWithMember("ens-x", "ens-soft", soft.toBytes())),
                Reason.BAD_METADATA, "member 1 (ens-soft, members/1.bundle) is an ensemble itself");
        assertRefused(() -> ModelBundle.read(BadBundles.ensembleWithMember("ens-x", "other", b.toBytes())),
                Reason.BAD_METADATA, "member 1 (other, members/1.bundle) holds a bundle of version m-b");
        assertRefused(() -> ModelBundle.read(BadBundles.ensembleWithAlteredMember("ens-y")), Reason.TRUNCATED,
                "members/1.bundle");
        ModelBundle wrongShapes = ModelBundle.read(BadBundles.ensembleWithMember("ens-x", "bad-m1",
                BadBundles.wrongShapes("bad-m1")));
        assertRefused(() -> Classifiers.load(wrongShapes, CPU), Reason.SHAPE_MISMATCH,
                "ensemble ens-x: member 1 (bad-m1) cannot serve");
        ModelBundle nan = ModelBundle.read(BadBundles.ensembleWithMember("ens-x", "bad-m1", BadBundles.nanWeights("bad-m1")));
        assertRefused(() -> Classifiers.load(nan, CPU), Reason.NON_FINITE_WEIGHTS, "member 1 (bad-m1)");
        assertRefused(() -> Classifier.load(soft, CPU), Reason.LOAD_FAILED, "Classifiers.load");
        assertThatThrownBy(() -> ModelBundle.ensemble("one", EnsembleVote.SOFT, List.of(a)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2 members");
        assertThatThrownBy(() -> ModelBundle.ensemble("nested", EnsembleVote.SOFT, List.of(a, soft)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("member 1 (ens-soft) is an ensemble itself");
        assertThatThrownBy(() -> EnsembleVote.parse("median")).hasMessageContaining("[soft, hard]");
    }

    @Test
    void aHardVoteOfFastnetAndResnet18PreparesAtTheLargerInputAndGivesTheSmallerMemberTheBatchResized() throws Exception {
        ModelBundle resnet = ModelBundle.untrained(Architectures.RESNET18, HeadLayout.MULTI_HEAD, "m-r", 4);
        ModelBundle mixed = ModelBundle.ensemble("ens-mixed", EnsembleVote.HARD, List.of(a, resnet));
        assertThat(mixed.metadata().input()).isEqualTo(Architectures.defaultInput(Architectures.RESNET18));
        assertThat(mixed.metadata().heads()).isEqualTo(HeadLayout.SINGLE_18);
        ImagePreprocessor large = new ImagePreprocessor(mixed.metadata().input(), ImageLimits.defaults());
        List<PreparedImage> images = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            images.add(large.prepare(TestImages.jpeg(TestImages.scene(384, 512, 300 + i))));
        }
        List<Prediction> fast;
        List<Prediction> res;
        try (BatchClassifier ma = Classifiers.load(a, CPU); BatchClassifier mr = Classifiers.load(resnet, CPU)) {
            fast = ma.classify(EnsembleClassifier.resize(images, 96, 128), true);
            res = mr.classify(images, true);
        }
        try (BatchClassifier e = Classifiers.load(mixed, CPU)) {
            assertThat(e.preprocessor().spec()).isEqualTo(mixed.metadata().input());
            assertThatThrownBy(() -> e.classify(photos, false)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("takes 192x256 images");
            List<Prediction> combined = e.classify(images, true);
            for (int i = 0; i < images.size(); i++) {
                Prediction expected = EnsembleClassifier.combine(EnsembleVote.HARD, List.of(fast.get(i), res.get(i)),
                        HeadLayout.SINGLE_18);
                assertThat(combined.get(i).classes()).containsExactly(expected.classes(), within(1e-5f));
                assertThat(combined.get(i).uncertainty().agreement()).isIn(0.5f, 1f);
            }
        }
    }

    @Test
    void membersOfAnotherInputSizeGetTheBatchResized() {
        byte[] rgb = new byte[4 * 2 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 10);
        }
        PreparedImage half = EnsembleClassifier.resize(new PreparedImage(4, 2, rgb, 40, 20), 2, 1);
        assertThat(half.width()).isEqualTo(2);
        assertThat(half.sourceWidth()).isEqualTo(40);
        // pixel (0,0) channel 0 = mean of pixels (0,0),(1,0),(0,1),(1,1) channel 0: 0, 30, 120, 150
        assertThat(half.rgb()[0] & 0xFF).isEqualTo(75);
    }

    private static float[] oneHotish(int code, float p) {
        float[] classes = new float[LabelCodec.CLASSES];
        java.util.Arrays.fill(classes, (1 - p) / (LabelCodec.CLASSES - 1));
        classes[code] = p;
        return classes;
    }

    private static float sum(float[] v) {
        float s = 0;
        for (float f : v) {
            s += f;
        }
        return s;
    }
}
