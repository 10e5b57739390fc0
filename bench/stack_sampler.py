"""A stdlib stack sampler: which share of a run is the addon's own work.

A thread takes the main thread's stack every ``interval`` seconds
(``sys._current_frames``) and keeps, per sample, the list of
``(filename, function)`` from the outermost frame to the innermost.

``addon_share`` classifies each sample by its innermost frame:

* inside an addon frame, or inside what an addon frame calls: the addon's;
* except a core method that an addon override extends through ``super()``
  (a non-addon frame with the same function name, called straight from the
  addon frame): that is the core's work again, until an addon frame appears
  deeper.

So the addon's ``action_post`` override is charged for its own hook (the
receipt it queues) but not for the account module's posting it wraps. The
share is samples charged to the addon / all samples. cProfile's cumulative
times cannot tell this apart (an override's cumulative time includes its
``super()``), hence samples with the whole stack.
"""

import os
import sys
import threading

DEFAULT_INTERVAL = 0.001


class Sampler:
    """Context manager: samples the calling thread's stack while active."""

    def __init__(self, interval=DEFAULT_INTERVAL):
        self.interval = interval
        self.stacks = []
        self._target = threading.get_ident()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._switch = None

    def __enter__(self):
        # The sampler needs the GIL: let threads switch as often as it samples.
        self._switch = sys.getswitchinterval()
        sys.setswitchinterval(self.interval)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        sys.setswitchinterval(self._switch)
        return False

    def _run(self):
        while not self._stop.wait(self.interval):
            frame = sys._current_frames().get(self._target)  # noqa: SLF001
            stack = []
            while frame is not None:
                code = frame.f_code
                stack.append((code.co_filename, code.co_name))
                frame = frame.f_back
            stack.reverse()
            self.stacks.append(stack)


def addon_share(stacks, addon_root, exclude=("bench", "dev", "tests")):
    """Share of samples charged to the addon (see the module docstring).

    :param stacks: samples, outermost frame first
    :param addon_root: the addon's folder (symlinks are resolved)
    :param exclude: sub-folders that are not the addon's runtime code
    :return: dict with ``samples``, ``own_share`` and ``on_stack_share``
    """
    root = os.path.realpath(addon_root) + os.sep
    skipped = tuple(root + name + os.sep for name in exclude)
    known = {}

    def is_addon(filename):
        if filename not in known:
            # "<decorator-gen-12>", "<string>"...: generated code, not a file
            # (realpath would read it relative to the current folder).
            real = os.path.realpath(filename) if os.path.isabs(filename) else ""
            known[filename] = real.startswith(root) and not real.startswith(skipped)
        return known[filename]

    own = on_stack = 0
    culprits = {}  # the addon frame that charged a sample -> samples
    for stack in stacks:
        charged = seen = False
        culprit = None
        parent = None  # (is_addon, function) of the previous frame
        for filename, function in stack:
            addon = is_addon(filename)
            if addon:
                if not charged:
                    real = os.path.realpath(filename)
                    culprit = "%s:%s" % (os.path.relpath(real, root), function)
                charged = seen = True
            elif parent and parent[0] and function == parent[1]:
                charged = False  # super(): the core method the override extends
            parent = (addon, function)
        own += charged
        on_stack += seen
        if charged:
            culprits[culprit] = culprits.get(culprit, 0) + 1
    total = len(stacks) or 1
    top = sorted(culprits.items(), key=lambda item: -item[1])[:10]
    return {
        "samples": len(stacks),
        "own_share": own / total,
        "on_stack_share": on_stack / total,
        "own_by_entry": [[name, count / total] for name, count in top],
    }
