"""What happens when: the nightly flow and the commands around it.

Polars allocates through jemalloc, which keeps the pages a program frees for its next allocations: after a night of
files is judged, the gigabytes the batches used would stay with the process while DuckDB loads and publishes. A
background thread hands them back within a second. Set here, before polars is first imported; an operator's own
`_RJEM_MALLOC_CONF` wins."""

import os

os.environ.setdefault("_RJEM_MALLOC_CONF", "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0")
