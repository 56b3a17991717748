package io.maskstream.processor;

import io.maskstream.events.AgeBand;
import io.maskstream.events.DeadLetterReason;
import io.maskstream.events.Gender;
import io.maskstream.events.MaskState;
import io.maskstream.model.AgeLabel;
import io.maskstream.model.GenderLabel;
import io.maskstream.model.ImageRejectedException;
import io.maskstream.model.MaskLabel;

/**
 * Where the model's labels and refusals become the events' enums. They share symbols and order (the head label
 * indices); {@code EventLabelsTest} fails if either side is reordered or renamed.
 */
final class EventLabels {

    private EventLabels() {
    }

    static MaskState mask(MaskLabel label) {
        return MaskState.values()[label.ordinal()];
    }

    static Gender gender(GenderLabel label) {
        return Gender.values()[label.ordinal()];
    }

    static AgeBand age(AgeLabel label) {
        return AgeBand.values()[label.ordinal()];
    }

    static DeadLetterReason reason(ImageRejectedException.Reason reason) {
        return DeadLetterReason.valueOf(reason.name());
    }
}
