"""The version of ecgteach (one definition; part of every model cache key)."""

__version__ = "0.1.0"
