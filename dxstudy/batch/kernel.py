# The kernel of batch notebooks: `python -m dxstudy.batch.kernel -f <connection file>` is ipykernel
# without its debugger (debugpy is not imported: about 0.1 s saved per kernel) — nobody debugs a batch.
"""Kernel launcher of the fiscal-year batch (see ``dxstudy.batch.workers.kernel_spec``).

Like ``python -m ipykernel_launcher``, except that ``debugpy`` is made unimportable first, so that
ipykernel starts without a debugger, and jsonschema's optional IRI parsers (about 2 s to build,
never used by a notebook here) are skipped.
"""
import sys


def main() -> None:
    """Start an IPython kernel with the command-line arguments of this process."""
    sys.modules["debugpy"] = None  # type: ignore[assignment]  # ipykernel: "debugger not available"
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    if sys.path and sys.path[0] == "":  # as ipykernel_launcher: not the kernel's working directory
        del sys.path[0]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
