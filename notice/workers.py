"""What a rendering worker does to end with the build that started it."""

from __future__ import annotations

import ctypes
import os
import signal


def die_with_parent(parent: int) -> None:
    """In a worker: be killed when the process that started it ends (Linux prctl), and end
    now if it already has; elsewhere, nothing."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os._exit(0)
