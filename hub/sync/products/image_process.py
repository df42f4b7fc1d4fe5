"""Converting pictures in a child process that cannot exceed its CPU and memory budget.

Picture decoders and the SVG renderer are native code: a 241-byte SVG with one large `feGaussianBlur`
took 42 s of CPU inside resvg, fifty of them several minutes, and RQ's job timeout (a Python signal)
cannot interrupt native code. Four large PNGs decoded side by side took a worker to 3.2 GB. So every
conversion of a listing job runs here, one at a time per worker process, in a long-lived child process
(`python -m hub.sync.products.image_process`, started on first use and again after it is killed) that:

- sets its own RLIMIT_CPU to the CPU time it has used plus `CPU_SECONDS` before each picture, so the
  kernel stops it (SIGXCPU) once a picture has cost 10 s of CPU;
- runs under RLIMIT_AS (`MEMORY_BYTES` of address space, with one malloc arena so threads of the HEIF
  decoder do not reserve 64 MB each), so no picture can take it beyond that, and the pixel budget of
  `image_convert` refuses pictures too large to decode within it before decoding them;
- is also killed by the parent after `WALL_SECONDS`, should it be stuck without using CPU.

Pictures travel as files in the job's temporary folder (the download is written there, the prepared
picture is read back from there when it is uploaded), so the worker process itself never holds more
than one picture's bytes per upload in flight. A killed child means a product that fails with a reason
naming the picture; the next picture gets a fresh child.
"""

from __future__ import annotations

import json
import math
import os
import resource
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from hub.sync.products.errors import ImageError

CPU_SECONDS = 10
MEMORY_BYTES = 448 * 1024 * 1024  # address space; the child uses about 86 MB of it before any picture
WALL_SECONDS = 60
RESTART_ABOVE_RSS = 160 * 1024 * 1024  # a child whose heap stays large after a picture is replaced


class ImageConverter:
    """The parent side: one child at a time, one picture at a time (a lock), restarted when it dies."""

    def __init__(self, *, cpu_seconds: float = CPU_SECONDS, memory_bytes: int = MEMORY_BYTES,
                 wall_seconds: float = WALL_SECONDS):
        self.cpu_seconds = cpu_seconds
        self.memory_bytes = memory_bytes
        self.wall_seconds = wall_seconds
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None
        self.started = 0  # children started, for tests and benchmarks
        self.peak_child_rss = 0  # bytes, the highest RSS a child reported (killed children cannot report)

    def convert(self, src: Path, dst: Path, *, source: str, max_pixels: int) -> dict[str, Any]:
        """Prepare the picture in `src` into `dst`; returns its metadata or raises an ImageError naming `source`."""
        job = {"src": str(src), "dst": str(dst), "source": source, "max_pixels": max_pixels,
               "cpu_seconds": self.cpu_seconds}
        with self._lock:
            child = self._ensure()
            try:
                child.stdin.write(json.dumps(job).encode() + b"\n")  # type: ignore[union-attr]
                child.stdin.flush()  # type: ignore[union-attr]
            except (BrokenPipeError, OSError):
                return self._died(child, source)
            output = child.stdout
            assert output is not None  # started with stdout=PIPE
            try:
                ready, _, _ = select.select([output], [], [], self.wall_seconds)
                line = output.readline() if ready else None
            except BaseException:  # e.g. the job's own timeout: the child's answer would come to the next picture
                self._stop(child)
                raise
            if line is None:
                self._stop(child)
                raise ImageError("image_too_slow", f"The image at {source} took more than {self.wall_seconds:.0f} s "
                                 "to convert and was given up; upload a simpler picture (a JPEG or PNG).")
            if not line:
                return self._died(child, source)
            answer = json.loads(line)
            self.peak_child_rss = max(self.peak_child_rss, int(answer.get("peak_rss", 0)))
            if answer.get("rss", 0) > RESTART_ABOVE_RSS:
                self._stop(child)
        error = answer.get("error")
        if error:
            raise ImageError(error["code"], error["message"], transient=bool(error.get("transient")))
        return answer["image"]

    def close(self) -> None:
        with self._lock:
            if self._child is not None:
                self._stop(self._child)

    def _ensure(self) -> subprocess.Popen[bytes]:
        if self._child is None or self._child.poll() is not None:
            env = {**os.environ, "MALLOC_ARENA_MAX": "1", "HUB_IMAGE_MEMORY_BYTES": str(self.memory_bytes)}
            self._child = subprocess.Popen([sys.executable, "-m", "hub.sync.products.image_process"],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                           start_new_session=True)  # Ctrl-C reaches the worker, which stops it
            self.started += 1
        return self._child

    def _stop(self, child: subprocess.Popen[bytes]) -> None:
        child.kill()
        child.wait()
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                stream.close()
        if self._child is child:
            self._child = None

    def _died(self, child: subprocess.Popen[bytes], source: str) -> dict[str, Any]:
        code = child.wait()
        self._stop(child)
        if code == -signal.SIGXCPU:
            raise ImageError("image_too_slow", f"The image at {source} needs more than {self.cpu_seconds:.0f} s of "
                             "processing to convert (an SVG with heavy filters or a very complex drawing) and was "
                             "stopped; upload it as a JPEG or PNG instead.")
        raise ImageError("image_too_large", f"The image at {source} needs more memory to convert than a picture may "
                         f"use ({self.memory_bytes // (1024 * 1024)} MB); upload a smaller picture (a JPEG "
                         "under 4000 x 4000 px is always enough).")


_shared: ImageConverter | None = None
_shared_lock = threading.Lock()


def shared_converter() -> ImageConverter:
    """The process's converter: one child process per worker, kept between jobs (starting one costs
    about 0.25 s of imports), so conversions of one worker never run side by side."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ImageConverter()
        return _shared


# ------------------------------------------------------------------------------------------ child side


def _memory() -> tuple[int, int]:
    """Resident bytes now and at the highest so far (VmRSS, VmHWM)."""
    with open("/proc/self/status") as handle:
        values = dict(line.split(":", 1) for line in handle if line.startswith(("VmRSS", "VmHWM")))
    return int(values["VmRSS"].split()[0]) * 1024, int(values["VmHWM"].split()[0]) * 1024


def _serve() -> None:
    from hub.sync.products.image_convert import prepare_image, register_image_plugins

    memory = int(os.environ.get("HUB_IMAGE_MEMORY_BYTES", MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    register_image_plugins()
    import resvg_py  # noqa: F401 - loaded once here rather than inside the first picture's budget

    for line in sys.stdin.buffer:
        job = json.loads(line)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        limit = math.ceil(usage.ru_utime + usage.ru_stime + float(job["cpu_seconds"]))
        resource.setrlimit(resource.RLIMIT_CPU, (limit, resource.RLIM_INFINITY))
        try:
            data = Path(job["src"]).read_bytes()
            prepared = prepare_image(data, source=job["source"], max_pixels=int(job["max_pixels"]))
            del data
            Path(job["dst"]).write_bytes(prepared.data)
            answer: dict[str, Any] = {"image": {
                "content_type": prepared.content_type, "width": prepared.width, "height": prepared.height,
                "sha256": prepared.sha256, "converted_from": prepared.converted_from,
                "changes": list(prepared.changes), "size": len(prepared.data)}}
            del prepared
        except ImageError as error:
            answer = {"error": {"code": error.code, "message": error.message, "transient": error.transient}}
        except MemoryError:
            source = job["source"]
            answer = {"error": {"code": "image_too_large", "message": (
                f"The image at {source} needs more memory to convert than a picture may use "
                f"({memory // (1024 * 1024)} MB); upload a smaller picture.")}}
        finally:
            resource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        answer["rss"], answer["peak_rss"] = _memory()
        sys.stdout.buffer.write(json.dumps(answer).encode() + b"\n")
        sys.stdout.buffer.flush()


if __name__ == "__main__":
    _serve()
