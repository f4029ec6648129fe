"""qualcode: qualitative coding for evaluation teams."""

__version__ = "0.1.0"
