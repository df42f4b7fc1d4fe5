"""Peak memory of a listing job's pictures: N large PNGs of one product, prepared as the job prepares them.

Usage: python -m bench.image_memory [--pictures 4] [--side 6000] [--mode RGBA] [--in-process] [--json]

The pictures are served from a loopback HTTP server and go through `ImageUploader.prepare_all` (parallel
downloads, conversion in the budgeted child process) in a fresh Python process, which then reports its
own peak RSS and the largest peak RSS of the converter children it started. Their sum bounds the job's
memory from above (the two peaks need not coincide). `--in-process` converts in the job's own process
without the child, as the hub did before the budget.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

MB = 1024 * 1024


def _png(side: int, mode: str, seed: int) -> bytes:
    """A photo-like PNG (gradients, so it compresses like a real picture and decodes to side² pixels)."""
    from PIL import Image

    gradient = Image.linear_gradient("L").resize((side, side))
    bands = [gradient, gradient.rotate(90 * (seed % 4)), Image.radial_gradient("L").resize((side, side))]
    if mode == "RGBA":
        bands.append(gradient.rotate(180))
    buffer = io.BytesIO()
    Image.merge(mode, bands[:len(mode)]).save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def _job(urls: list[str], in_process: bool) -> dict:
    """Runs in the measured process: what the listing job does with a product's pictures."""
    import resource

    from hub.sync.products.uploads import ImageUploader

    class Runtime:
        class settings:  # noqa: N801 - the part of hub.config.Settings the uploader reads
            allow_private_image_hosts = True

    with ImageUploader(Runtime(), "bench", client=None) as uploader:  # type: ignore[arg-type]
        if in_process:
            uploader.pipeline.converter = None
        prepared = uploader.prepare_all(urls)
    try:
        from hub.sync.products import image_process
    except ImportError:  # measuring a version of the hub from before the converter process
        pass
    else:
        image_process.shared_converter().close()  # waits for the child, so RUSAGE_CHILDREN includes it
    failures = {url: getattr(p, "message", None) for url, p in prepared.items() if not hasattr(p, "sha256")}
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so this process would inherit the
    # peak of the benchmark process that generated the pictures and forked it.
    with open("/proc/self/status") as handle:
        job_peak_kb = int(next(line for line in handle if line.startswith("VmHWM")).split()[1])
    return {"job_peak_mb": job_peak_kb / 1024,
            "converter_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "converted": len(prepared) - len(failures), "failures": failures}


def measure(pictures: int, side: int, mode: str, in_process: bool) -> dict:
    from werkzeug.serving import make_server
    from werkzeug.wrappers import Request, Response

    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for n in range(pictures):
            path = Path(tmp, f"{n}.png")
            path.write_bytes(_png(side, mode, n))
            files.append(path)

        def app(environ, start_response):  # noqa: ANN001, ANN202
            name = Request(environ).path.strip("/")
            return Response(Path(tmp, name).read_bytes(), mimetype="image/png")(environ, start_response)

        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            urls = [f"http://127.0.0.1:{server.server_port}/{p.name}" for p in files]
            code = (f"import json, bench.image_memory as b; "
                    f"print(json.dumps(b._job({urls!r}, {in_process!r})))")
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                 cwd=Path(__file__).resolve().parent.parent)
        finally:
            server.shutdown()
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result.update(pictures=pictures, side=side, mode=mode, in_process=in_process,
                      file_mb=round(sum(p.stat().st_size for p in files) / MB, 1),
                      total_peak_mb=round(result["job_peak_mb"] + result["converter_peak_mb"], 1))
        return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pictures", type=int, default=4)
    parser.add_argument("--side", type=int, default=6000)
    parser.add_argument("--mode", default="RGBA", choices=["RGB", "RGBA"])
    parser.add_argument("--in-process", action="store_true", help="convert in the job's process (no child)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args.pictures, args.side, args.mode, args.in_process)
    if args.json:
        print(json.dumps(result))
        return
    where = "in the job's process" if args.in_process else "in the budgeted child process"
    print(f"{args.pictures} PNGs of {args.side}x{args.side} {args.mode} ({result['file_mb']} MB of files), "
          f"converted {where}: job peak {result['job_peak_mb']:.0f} MB + converter peak "
          f"{result['converter_peak_mb']:.0f} MB = {result['total_peak_mb']:.0f} MB; "
          f"{result['converted']} converted, failures: {result['failures'] or 'none'}")


if __name__ == "__main__":
    main()
