package dev.loupe.storage;

import java.nio.file.FileSystemException;

/**
 * A local path that exists but is not a regular file: a device such as {@code /dev/zero}, a pipe, a
 * socket or a directory. Reading one could block forever or never end, so stores refuse to.
 */
public final class NotRegularFileException extends FileSystemException {
  public NotRegularFileException(String file) {
    super(file, null, "not a regular file");
  }
}
