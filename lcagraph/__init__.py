"""lcagraph: open, traceable carbon footprints stored as a graph.

The shared kernel every layer may import: the error hierarchy and settings.
"""

__version__ = "0.1.0"
