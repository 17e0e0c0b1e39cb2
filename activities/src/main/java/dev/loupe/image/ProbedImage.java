package dev.loupe.image;

/**
 * What probing learned of an image that decoded completely.
 *
 * @param width pixels of the first image (first frame of an animation)
 * @param height pixels of the first image
 * @param format lower-case format name: {@code jpeg}, {@code png}, {@code webp}, {@code gif} or
 *     {@code bmp}
 */
public record ProbedImage(int width, int height, String format) {}
