"""The package version, in a foundation module: the HTTP layer names it in User-Agent."""

__version__ = "0.1.0"
