package io.maskstream.datasets;

/**
 * One thing wrong with a dataset copy, naming the file (relative to the dataset root) it concerns.
 *
 * @param path    the file or folder at fault, relative to the dataset root, with {@code /} separators
 * @param message what is wrong, for an operator
 */
public record DatasetProblem(String path, String message) {

    @Override
    public String toString() {
        return path + ": " + message;
    }
}
