package io.maskstream.trainer;

import io.maskstream.events.MaskState;
import io.maskstream.model.ImagePreprocessor;
import io.maskstream.model.ImageRejectedException;
import io.maskstream.synthetic.SyntheticFaces;
import io.maskstream.synthetic.SyntheticOptions;
import io.maskstream.synthetic.SyntheticPerson;
import java.util.ArrayList;
import java.util.List;

/** Labeled samples drawn by the synthetic face generator, in memory: 7 photos per person like the real data. */
final class SyntheticSamples {

    private SyntheticSamples() {
    }

    static List<Sample> of(int persons, long seed, ImagePreprocessor preprocessor) {
        SyntheticFaces faces = new SyntheticFaces(SyntheticOptions.defaults(seed));
        List<Sample> samples = new ArrayList<>(persons * 7);
        for (int i = 0; i < persons; i++) {
            SyntheticPerson p = faces.person(i);
            for (int photo = 0; photo < 7; photo++) {
                MaskState state = photo < 5 ? MaskState.WORN : photo == 5 ? MaskState.INCORRECT : MaskState.NONE;
                try {
                    samples.add(TrainingSet.sample(p.id(), p.id() + "/" + photo, p.gender(), p.age(), state,
                            faces.jpeg(p, state, photo), preprocessor));
                } catch (ImageRejectedException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return samples;
    }
}
