package io.maskstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/**
 * With ONNX Runtime on the classpath beside PyTorch, code that names no engine (the trainer's
 * {@code Model.newInstance(name)}, {@code NDManager.newBaseManager()}) must still get PyTorch.
 */
class DefaultEngineTest {

    @Test
    void pyTorchStaysDjlsDefaultEngineWithOnnxRuntimeOnTheClasspath() {
        assumeTrue(System.getenv("DJL_DEFAULT_ENGINE") == null, "DJL_DEFAULT_ENGINE is set: the user chose an engine");
        Compute.prepare();

        assertThat(Engine.getAllEngines()).contains("PyTorch", "OnnxRuntime");
        assertThat(System.getProperty("ai.djl.default_engine")).isEqualTo("PyTorch");
        assertThat(Engine.getDefaultEngineName()).isEqualTo("PyTorch");
        assertThat(Engine.getInstance().getEngineName()).isEqualTo("PyTorch");
        try (NDManager manager = NDManager.newBaseManager(); Model model = Model.newInstance("default-engine-check")) {
            assertThat(manager.getEngine().getEngineName()).isEqualTo("PyTorch");
            assertThat(model.getNDManager().getEngine().getEngineName()).isEqualTo("PyTorch");
        }
    }
}
