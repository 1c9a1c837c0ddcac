"""lapgen: typed, installable Python SDKs from LAP API descriptions."""

__version__ = "0.1.0"
