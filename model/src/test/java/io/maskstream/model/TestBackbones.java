package io.maskstream.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The tiny TorchScript backbones under {@code src/test/resources/backbones/} (random weights, a few KB each; made by
 * {@code make_backbones.py} beside them with Debian's python3-torch 1.13), shipped in this module's test-jar.
 */
public final class TestBackbones {

    /** {@code [N,3,H,W] -> [N,16,H/4,W/4]}: two conv/BN/ReLU, a CNN trunk the network pools. */
    public static final String NCHW = "tiny-nchw.pt";
    /** {@code [N,3,H,W] -> [N,16]}: the same trunk pooled inside the module. */
    public static final String NC = "tiny-nc.pt";
    /** {@code [N,3,H,W] -> [N,16,H*W/16]}: three dimensions, not features. */
    public static final String RANK3 = "bad-rank3.pt";
    /** Two outputs. */
    public static final String TUPLE = "bad-tuple.pt";
    /** A first convolution of one channel: fails on RGB. */
    public static final String GREY = "bad-grey.pt";

    private TestBackbones() {
    }

    /** The backbone copied into {@code dir} (resources may live in a jar), as a file of its own name. */
    public static Path copy(String name, Path dir) {
        Path file = dir.resolve(name);
        try (InputStream in = TestBackbones.class.getResourceAsStream("/backbones/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test backbone " + name);
            }
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
