"""Sub-commands of ``pprnet``, one module per area, each exporting ``COMMANDS``."""
