# The fiscal-year batch (`dxstudy run`): plan.py what runs, run.py one run, pool.py and workers.py the
# worker processes, kernel.py their kernels, record.py provenance, publish.py lock and swap, command.py the CLI.
"""The fiscal-year batch: plan the notebooks, run them in worker processes, export HTML, publish outputs/FY<y>/."""
