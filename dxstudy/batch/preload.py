# Imported by the batch's fork server only (multiprocessing preload): builds the HTML exporter and
# renders one small page, so every forked worker starts with nbconvert's templates compiled.
"""Fork-server preload for :mod:`dxstudy.batch.run` workers (see ``dxstudy.batch.run._mp_context``)."""

from dxstudy.batch.workers import warm_exporter

warm_exporter()
