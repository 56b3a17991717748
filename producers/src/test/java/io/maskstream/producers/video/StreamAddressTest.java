package io.maskstream.producers.video;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StreamAddressTest {

    @Test
    void tellsFilesStreamsAndDevicesApart() {
        assertThat(StreamAddress.parse("/data/clip.mp4", null).kind()).isEqualTo(StreamAddress.Kind.FILE);
        assertThat(StreamAddress.parse("file:///data/clip.mp4", null)).isEqualTo(
                new StreamAddress("/data/clip.mp4", StreamAddress.Kind.FILE, null));
        assertThat(StreamAddress.parse("rtsp://cam.local:554/stream1", null).kind()).isEqualTo(StreamAddress.Kind.NETWORK);
        assertThat(StreamAddress.parse("http://cam.local/video.mjpg", "mjpeg").format()).isEqualTo("mjpeg");
        StreamAddress webcam = StreamAddress.parse("/dev/video0", null);
        assertThat(webcam.kind()).isEqualTo(StreamAddress.Kind.DEVICE);
        assertThat(webcam.format()).isEqualTo("video4linux2");
        assertThat(webcam.live()).isTrue();
        assertThat(StreamAddress.parse("/data/clip.mp4", null).live()).isFalse();
    }

    @Test
    void credentialsNeverAppearInTheRedactedFormOrInScrubbedMessages() {
        StreamAddress a = StreamAddress.parse("rtsp://admin:p4ss@10.0.0.5:554/h264?token=abc123&channel=1", null);
        assertThat(a.redacted()).isEqualTo("rtsp://***@10.0.0.5:554/h264?token=***&channel=1");
        assertThat(a.toString()).doesNotContain("p4ss").doesNotContain("abc123");
        assertThat(a.scrub("avformat_open_input() error -111: Could not open input \"" + a.location() + "\""))
                .doesNotContain("p4ss").doesNotContain("abc123").contains("rtsp://***@10.0.0.5");
        assertThat(StreamAddress.redact("http://user@host/x?password=hunter2")).isEqualTo("http://***@host/x?password=***");
        assertThat(StreamAddress.redact("rtsp://10.0.0.5/stream")).isEqualTo("rtsp://10.0.0.5/stream");
    }
}
