"""Keras' progress bar (`tf.keras.utils.Progbar`) and the per-epoch text lines.

The text is Keras 3's:

    verbose=1   12/60 ━━━━━━━━━━━━━━━━━━━━ 3s 61ms/step - accuracy: 0.8125 - loss: 0.5342
    verbose=2   60/60 - 4s - 61ms/step - accuracy: 0.8901 - loss: 0.3320

With `verbose=1` on a terminal (or in a notebook), the bar is redrawn in place
(backspaces and a carriage return), at most every `interval` seconds, with the
estimated time left (ETA) until the last step, where it shows the elapsed time
and ends the line. When the output is not a terminal (a log file, a pipe) the
bar is written once, when it completes: one line per epoch, without the
terminal's bold and color codes. (Keras 3 treats every POSIX process as a
terminal and fills logs with redraws; tapeflow does not.)
"""
import math
import os
import sys
import time

_BOLD, _GREEN, _GREY, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"


def _is_dynamic_display():
    stdout = sys.stdout
    return ((hasattr(stdout, "isatty") and stdout.isatty()) or "ipykernel" in sys.modules
            or "PYCHARM_HOSTED" in os.environ)


def format_time_per_unit(seconds, unit_name):
    """`" 61ms/step"`: seconds, milliseconds or microseconds per unit, as Keras prints."""
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit_name}"
    return f" {seconds * 1e6:.0f}us/{unit_name}"


def format_eta(seconds):
    """`"3s"`, `"1:05"` or `"1:01:05"`."""
    if seconds > 3600:
        return "%d:%02d:%02d" % (seconds // 3600, (seconds % 3600) // 60, seconds % 60)
    if seconds > 60:
        return "%d:%02d" % (seconds // 60, seconds % 60)
    return "%ds" % seconds


class Progbar:
    """Displays a progress bar.

    Metrics passed to `update` are averaged over the steps seen (weighted by the
    steps each value covers), except those listed in `stateful_metrics`, which
    are shown as given. With `stateless_metrics` instead, only those are averaged.

    Args:
      target: the total number of steps, or None if unknown.
      width: the width of the bar, in characters.
      verbose: 0 (silent), 1 (progress bar), 2 (one line when complete).
      interval: the minimum time between redraws, in seconds.
      stateful_metrics: names of metrics shown as given, not averaged.
      stateless_metrics: names of the only metrics that are averaged.
      unit_name: what a step is called (`"step"`, `"sample"`).
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 stateless_metrics=None, unit_name="step"):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Only one of `stateful_metrics` or `stateless_metrics` can be "
                             "provided. `stateful_metrics` is used to make metrics stateless "
                             "by default (with an exclusion list), while `stateless_metrics` "
                             "is used to make metrics stateful by default (with an exclusion "
                             "list).")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = None if stateless_metrics is not None else \
            set(stateful_metrics or ())
        self.stateless_metrics = None if stateless_metrics is None else set(stateless_metrics)
        self._dynamic_display = _is_dynamic_display()
        self._values = {}            # name -> [weighted sum, weight]
        self._values_order = []
        self._seen_so_far = 0
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step = None
        self._prev_total_width = 0

    # -- public API ------------------------------------------------------------------
    def update(self, current, values=None, finalize=None):
        """Moves the bar to step `current`.

        Args:
          current: the index of the current step (1-based count of steps done).
          values: a list of `(name, value)` pairs for the last step.
          finalize: whether this is the last update (default: `current >= target`).
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        self._accumulate(current, values or [], finalize)
        self._seen_so_far = current
        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            self._print_bar(current, now, time_per_unit, finalize)
        elif self.verbose == 2 and finalize and self.target:
            self._print_line(current, now, time_per_unit)
        self._last_update = now

    def add(self, n, values=None):
        """Advances the bar by `n` steps."""
        self.update(self._seen_so_far + n, values)

    # -- accumulating metric values ----------------------------------------------------
    def _is_averaged(self, name):
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in self.stateless_metrics

    def _accumulate(self, current, values, finalize):
        for name, value in values:
            if name not in self._values_order:
                self._values_order.append(name)
            if not self._is_averaged(name) or finalize:
                self._values[name] = [value, 1]
                continue
            steps = max(current - self._seen_so_far, 1)
            total = self._values.setdefault(name, [0.0, 0])
            total[0] += value * steps
            total[1] += steps

    def _average(self, name):
        total, count = self._values[name]
        if not isinstance(total, float):
            total = float(sum(total) / len(total)) if isinstance(total, (list, tuple)) \
                else float(total)
        return total / max(1, count)

    # -- text --------------------------------------------------------------------------
    def _print_bar(self, current, now, time_per_unit, finalize):
        """verbose=1: the bar, the ETA (or elapsed time), time per step and metrics."""
        dynamic = self._dynamic_display
        if not dynamic and not finalize:
            return          # not a terminal: only the completed bar is written
        bold, green, grey, reset = (_BOLD, _GREEN, _GREY, _RESET) if dynamic else ("",) * 4
        if self.target is not None and self.target > 0:
            digits = int(math.log10(self.target)) + 1
            count = f"%{digits}d/%d" % (current, self.target)
            done = int(self.width * current / self.target)
            bar = f"{bold}{count}{reset} "
            if done > 0:
                bar += f"{green}{'━' * done}{reset}"
            bar += f"{grey}{'━' * (self.width - done)}{reset}"
            plain_bar = f"{count} " + "━" * max(done, 0) + "━" * (self.width - done)
        else:
            bar = plain_bar = "%7d/Unknown" % current
        if self.target is not None and self.target > 0 and not finalize:
            clock = format_eta(time_per_unit * (self.target - current))
        else:
            clock = f"{now - self._start:.0f}s"
        info = f" {bold}{clock}{reset}" + format_time_per_unit(time_per_unit, self.unit_name)
        plain_info = f" {clock}" + format_time_per_unit(time_per_unit, self.unit_name)
        metrics = self._metrics_text(lambda avg: abs(avg) > 1e-3)
        total_width = len(plain_bar) + len(plain_info) + len(metrics)
        message = ("\b" * self._prev_total_width + "\r") if dynamic else ""
        message += bar + info + metrics
        if self._prev_total_width > total_width:
            message += " " * (self._prev_total_width - total_width)
        if finalize:
            message += "\n"
        _write(message)
        self._prev_total_width = total_width

    def _print_line(self, current, now, time_per_unit):
        """verbose=2: one line when complete (Keras compares `avg > 1e-3` here, no abs)."""
        digits = int(math.log10(self.target)) + 1
        count = f"%{digits}d/%d" % (current, self.target)
        line = f"{count} - {now - self._start:.0f}s -"
        line += format_time_per_unit(time_per_unit, self.unit_name)
        line += self._metrics_text(lambda avg: avg > 1e-3)
        _write(line + "\n")

    def _metrics_text(self, use_fixed_point):
        text = ""
        for name in self._values_order:
            avg = self._average(name)
            text += f" - {name}: {avg:.4f}" if use_fixed_point(avg) else f" - {name}: {avg:.4e}"
        return text

    def _estimate_step_duration(self, current, now):
        """Seconds per step, ignoring the first step (it includes tracing) once past it."""
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            per_step = (now - self._time_after_first_step) / (current - 1)
        else:
            per_step = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_step


def _write(message):
    sys.stdout.write(message)
    sys.stdout.flush()
