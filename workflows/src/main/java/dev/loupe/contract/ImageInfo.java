package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What probing learned of an image.
 *
 * @param uri where it is
 * @param sha256 hex SHA-256 of its bytes
 * @param width pixels
 * @param height pixels
 * @param format lower-case format name ({@code jpeg}, {@code png}, {@code webp}, {@code gif})
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageInfo(String uri, String sha256, int width, int height, String format) {}
