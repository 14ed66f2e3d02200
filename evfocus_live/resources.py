"""``Closeable``: the context-manager and close-on-drop behaviour sources and writers share."""

from __future__ import annotations


class Closeable:
    """``with`` support, and ``close()`` on garbage collection: a source or writer dropped by
    an error path neither leaks its file/device nor leaves an unfinalised file.
    ``close()`` must be safe to call twice."""

    def close(self) -> None:
        """Release what is held; safe to call twice."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown or a half-built object: nothing to save
            pass
