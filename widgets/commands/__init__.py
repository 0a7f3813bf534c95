"""Sub-commands of ``neuguong``: each module has ``register(subparsers)``."""
