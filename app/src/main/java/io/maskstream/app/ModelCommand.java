package io.maskstream.app;

import io.maskstream.model.Architectures;
import io.maskstream.model.HeadLayout;
import io.maskstream.model.ModelBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code maskstream model}: model bundle utilities. */
@Command(name = "model", mixinStandardHelpOptions = true, description = "Model bundle utilities.",
        subcommands = {ModelCommand.Init.class, ModelCommand.Inspect.class})
public final class ModelCommand implements Runnable {

    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Write an untrained (seeded) model bundle, so a pipeline can run before any training.")
    static final class Init implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", description = "Bundle file to write.")
        Path out;
        @Option(names = "--architecture", defaultValue = Architectures.FASTNET, description = "fastnet or resnet18.")
        String architecture;
        @Option(names = "--version", defaultValue = "untrained-0", description = "Model version.")
        String version;
        @Option(names = "--seed", defaultValue = "42")
        long seed;

        @Override
        public Integer call() throws Exception {
            ModelBundle bundle = ModelBundle.untrained(architecture, HeadLayout.MULTI_HEAD, version, seed);
            if (out.toAbsolutePath().getParent() != null) {
                Files.createDirectories(out.toAbsolutePath().getParent());
            }
            bundle.write(out);
            System.out.println("Wrote " + out + " (" + architecture + ", version " + version + ", sha256 " + bundle.sha256() + ")");
            return 0;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Verify a bundle and print its metadata.")
    static final class Inspect implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() throws Exception {
            ModelBundle bundle = ModelBundle.read(file);
            System.out.println(bundle.metadata());
            System.out.println("sha256 " + bundle.sha256());
            for (int i = 0; i < bundle.members().size(); i++) {
                ModelBundle m = bundle.members().get(i);
                System.out.println("member " + i + " (" + bundle.vote().orElseThrow().label() + " vote): " + m.metadata()
                        + " sha256 " + m.sha256());
            }
            return 0;
        }
    }
}
