"""The fiscal-year batch: plan the notebooks, run them in worker processes, export HTML, publish outputs/FY<y>/."""
