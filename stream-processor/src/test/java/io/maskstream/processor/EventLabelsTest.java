package io.maskstream.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.events.AgeBand;
import io.maskstream.events.DeadLetterReason;
import io.maskstream.events.Gender;
import io.maskstream.events.MaskState;
import io.maskstream.model.AgeLabel;
import io.maskstream.model.GenderLabel;
import io.maskstream.model.ImageRejectedException;
import io.maskstream.model.MaskLabel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The model's labels and the events' enums are one numbering: reordering either would relabel every event. */
class EventLabelsTest {

    @Test
    void theModelsLabelsAndTheEventsEnumsHaveTheSameSymbolsInTheSameOrder() {
        assertThat(names(MaskLabel.values())).isEqualTo(names(MaskState.values()));
        assertThat(names(GenderLabel.values())).isEqualTo(names(Gender.values()));
        assertThat(names(AgeLabel.values())).isEqualTo(names(AgeBand.values()));
        for (MaskLabel m : MaskLabel.values()) {
            assertThat(EventLabels.mask(m).name()).isEqualTo(m.name());
        }
    }

    @Test
    void everyImageRejectionIsADeadLetterReason() {
        for (ImageRejectedException.Reason r : ImageRejectedException.Reason.values()) {
            assertThat(EventLabels.reason(r)).isEqualTo(DeadLetterReason.valueOf(r.name()));
        }
    }

    private static String[] names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).toArray(String[]::new);
    }
}
