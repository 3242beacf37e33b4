# Imported by the batch's fork server only (multiprocessing preload): builds the HTML exporter and
# renders one small page, so every forked worker starts with nbconvert's templates compiled.
"""Fork-server preload for :mod:`dxstudy.batch` workers (see ``dxstudy.batch._mp_context``)."""

from dxstudy.executor import warm_exporter

warm_exporter()
