"""chanjiao (产教): a curriculum and training-resource knowledge graph for 专精特新产业学院.

It answers, against the positions of an industry chain: what does a specialty cluster
(专业群) teach, what does it miss, and what could close each gap.
"""

from __future__ import annotations

__version__ = "0.1.0"
