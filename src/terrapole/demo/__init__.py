"""A realistic, offline demo federation of five Earth-system data centres ("poles").

``generate_demo(seed, items_total)`` returns STAC 1.1.0 Collection and Item dicts, identical for
the same seed, with footprints over mainland France and the overseas territories.
"""

from terrapole.demo.generate import POLES, DemoFederation, generate_demo

__all__ = ["POLES", "DemoFederation", "generate_demo"]
