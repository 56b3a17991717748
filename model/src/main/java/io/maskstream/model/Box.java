package io.maskstream.model;

/**
 * An axis-aligned box in an image's pixels, COCO style: {@code x, y} the top-left corner, {@code w, h} the size.
 * Faces found by a detector, labeled in a dataset, and cut out as crops are all boxes in the source image's pixels.
 *
 * <p>Invariant: all four values finite, {@code w} and {@code h} not negative.
 */
public record Box(double x, double y, double w, double h) {

    /** Validates. */
    public Box {
        if (!Double.isFinite(x) || !Double.isFinite(y) || !Double.isFinite(w) || !Double.isFinite(h) || w < 0 || h < 0) {
            throw new IllegalArgumentException("a box needs finite x, y and a width and height >= 0, got [" + x + ", " + y
                    + ", " + w + ", " + h + "]");
        }
    }

    /** The box from its corners; corners in either order. */
    public static Box ofCorners(double x1, double y1, double x2, double y2) {
        return new Box(Math.min(x1, x2), Math.min(y1, y2), Math.abs(x2 - x1), Math.abs(y2 - y1));
    }

    /** Right edge. */
    public double right() {
        return x + w;
    }

    /** Bottom edge. */
    public double bottom() {
        return y + h;
    }

    /** Horizontal centre. */
    public double centreX() {
        return x + w / 2;
    }

    /** Vertical centre. */
    public double centreY() {
        return y + h / 2;
    }

    /** Width times height. */
    public double area() {
        return w * h;
    }

    /** Intersection over union with another box: 0 when they do not overlap (or both are empty), 1 when equal. */
    public double iou(Box other) {
        double ix = Math.min(right(), other.right()) - Math.max(x, other.x);
        double iy = Math.min(bottom(), other.bottom()) - Math.max(y, other.y);
        if (ix <= 0 || iy <= 0) {
            return 0;
        }
        double inter = ix * iy;
        double union = area() + other.area() - inter;
        return union <= 0 ? 0 : inter / union;
    }

    /**
     * The part of this box inside a {@code width × height} image; null when nothing of it is inside (or what is
     * left has no area).
     */
    public Box clip(int width, int height) {
        double x1 = Math.max(0, x);
        double y1 = Math.max(0, y);
        double x2 = Math.min(width, right());
        double y2 = Math.min(height, bottom());
        if (x2 <= x1 || y2 <= y1) {
            return null;
        }
        return new Box(x1, y1, x2 - x1, y2 - y1);
    }

    /** The box grown on every side by {@code margin} times its own width (left, right) and height (top, bottom). */
    public Box grow(double margin) {
        return new Box(x - w * margin, y - h * margin, w * (1 + 2 * margin), h * (1 + 2 * margin));
    }

    /**
     * The smallest box with the same centre that contains this one and has the aspect {@code width:height}: the
     * shorter side grows, nothing is cut, so a face keeps its proportions when resized to a network's input.
     */
    public Box toAspect(int width, int height) {
        double target = (double) width / height;
        if (w == 0 || h == 0) {
            double side = Math.max(w, h);
            return new Box(centreX() - side * target / 2, centreY() - side / 2, side * target, side);
        }
        if (w / h > target) {
            double nh = w / target;
            return new Box(x, centreY() - nh / 2, w, nh);
        }
        double nw = h * target;
        return new Box(centreX() - nw / 2, y, nw, h);
    }

    /** The box scaled by {@code sx} horizontally and {@code sy} vertically, about the origin. */
    public Box scale(double sx, double sy) {
        return new Box(x * sx, y * sy, w * sx, h * sy);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "[%.1f, %.1f, %.1f, %.1f]", x, y, w, h);
    }
}
