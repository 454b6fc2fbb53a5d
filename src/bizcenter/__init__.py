"""bizcenter: a self-hostable Business Center."""

__version__ = "0.1.0"
