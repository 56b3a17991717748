package io.maskstream.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class BufferedFrameTest {

    private final Serde<BufferedFrame> serde = BufferedFrame.serde();

    @Test
    void aReferenceKeepsOnlyTheTimestampInNineBytes() {
        byte[] bytes = serde.serializer().serialize("t", BufferedFrame.reference(1_234L));
        assertThat(bytes).hasSize(9);
        BufferedFrame back = serde.deserializer().deserialize("t", bytes);
        assertThat(back.isReference()).isTrue();
        assertThat(back.timestamp()).isEqualTo(1_234L);
        assertThat(back.key()).isNull();
    }

    @Test
    void aWholeRecordWrittenByEarlierVersionsIsStillRead() {
        BufferedFrame whole = new BufferedFrame("cam".getBytes(), new byte[] {1, 2, 3}, 99L);
        BufferedFrame back = serde.deserializer().deserialize("t", serde.serializer().serialize("t", whole));
        assertThat(back.isReference()).isFalse();
        assertThat(back.key()).isEqualTo("cam".getBytes());
        assertThat(back.value()).containsExactly(1, 2, 3);
        assertThat(back.timestamp()).isEqualTo(99L);
    }

    @Test
    void aReferenceResolvedWithTheRecordReadBackKeepsTheTrustedTimestamp() {
        BufferedFrame resolved = BufferedFrame.reference(5L).resolved("k".getBytes(), new byte[] {7});
        assertThat(resolved.isReference()).isFalse();
        assertThat(resolved.timestamp()).isEqualTo(5L);
        assertThat(resolved.value()).containsExactly(7);
    }

    @Test
    void anUnknownFormatIsRefused() {
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {9, 0, 0, 0, 0, 0, 0, 0, 0}))
                .hasMessageContaining("Unknown buffered frame format 9");
    }
}
