package dev.loupe.source;

/**
 * Where a manifest listing goes on: {@code <lines read>@<byte offset after them>}. A cursor of only
 * a line count comes from workers before byte offsets; the listing then skips that many lines once.
 *
 * @param lineNumber lines read so far
 * @param offset the byte offset after them; 0 with {@code legacy}
 * @param legacy whether the offset is unknown
 */
record ManifestCursor(long lineNumber, long offset, boolean legacy) {
  static final ManifestCursor START = new ManifestCursor(0, 0, false);

  ManifestCursor(long lineNumber, long offset) {
    this(lineNumber, offset, false);
  }

  ManifestCursor {
    if (lineNumber < 0 || offset < 0) {
      throw new IllegalArgumentException("a manifest cursor is never negative");
    }
  }

  static ManifestCursor parse(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return START;
    }
    try {
      int at = cursor.indexOf('@');
      if (at < 0) {
        return new ManifestCursor(Long.parseLong(cursor), 0, true);
      }
      return new ManifestCursor(
          Long.parseLong(cursor.substring(0, at)), Long.parseLong(cursor.substring(at + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a manifest cursor: '" + cursor + "'", e);
    }
  }

  @Override
  public String toString() {
    return lineNumber + "@" + offset;
  }
}
