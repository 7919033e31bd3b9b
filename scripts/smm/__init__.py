"""smm: a social media team's work as code."""

from pathlib import Path

__version__ = "0.1.0"
DATA = Path(__file__).parent / "data"     # the data files shipped inside the package
