package io.maskstream.datasets;

/** A dataset problem that stops the run: the root is unusable, or a problem was found with stop-on-error set. */
public final class DatasetException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient DatasetProblem problem;

    public DatasetException(DatasetProblem problem) {
        super(problem.toString());
        this.problem = problem;
    }

    public DatasetProblem problem() {
        return problem;
    }
}
