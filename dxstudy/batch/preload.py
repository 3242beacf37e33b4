# Imported by the batch's fork server only (multiprocessing preload): builds the HTML exporter and
# renders one small page, so every forked worker starts with nbconvert's templates compiled.
"""Fork-server preload for the batch's workers (see ``dxstudy.batch.pool.mp_context``); not used
where workers are spawned (Windows), which warm their exporter in ``init_worker``."""

from dxstudy.batch.workers import warm_exporter

warm_exporter()
